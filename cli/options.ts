// The parsers options share, so every count is checked the same way and every closed set is
// offered as commander choices (listed in --help, refused by name otherwise). The choices
// themselves come from core/vocabulary.ts and the engine's constants, never from a copy here.
//
// A parser throws commander's InvalidArgumentError; commander then names the option and the
// argument ("option '--threads <n>' argument 'two' is invalid. Expected a positive integer.").

import { InvalidArgumentError, type Option } from "commander";

/** Every count option's parser: a positive integer, written in decimal digits. */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError("Expected a positive integer.");
  return n;
}

/** A count that may be zero (--warmup 0): a non-negative integer, in decimal digits. */
export function nonNegativeInteger(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("Expected a non-negative integer.");
  return n;
}

type Check = (text: string) => string;

/** The option's choices check, which .choices() installs as its parser (help lists the choices). */
function choiceCheck(option: Option, choices: readonly string[]): Check {
  const parse = option.choices(choices).parseArg!;
  return (text) => parse<string | undefined>(text, undefined) as string;
}

/** Choices that are numbers (--bits 8|4): listed and checked as text, given to the command as numbers. */
export function numberChoices(option: Option, choices: readonly number[]): Option {
  const check = choiceCheck(option, choices.map(String));
  return option.argParser((text: string) => Number(check(text)));
}

/** Choices written in upper case that may be given in any case (--min-quality good). */
export function anyCaseChoices(option: Option, choices: readonly string[]): Option {
  const check = choiceCheck(option, choices);
  return option.argParser((text: string) => check(text.toUpperCase()));
}

/** An option that may be given again and again (--suite a --suite b), each value checked against `choices` when given. */
export function repeatable(option: Option, choices?: readonly string[]): Option {
  const check: Check = choices ? choiceCheck(option, choices) : (text) => text;
  return option.argParser((text: string, previous: string[] | undefined) => [...(previous ?? []), check(text)]);
}

/** A comma-separated list (--quants f32,q8_0), each item checked against `choices` when given. */
export function commaList(option: Option, choices?: readonly string[]): Option {
  const check: Check = choices ? choiceCheck(option, choices) : (text) => text;
  return option.argParser((text: string) =>
    text
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean)
      .map(check),
  );
}

/**
 * argv without the options named: each of `valued` with its value (`--x v` or `--x=v`), each of
 * `flags` alone. For re-running a command with some options replaced (a child process, a report's record).
 */
export function withoutOptions(argv: readonly string[], valued: readonly string[], flags: readonly string[] = []): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag] = argv[i].split("=", 1);
    if (flags.includes(flag)) continue;
    if (valued.includes(flag)) {
      if (!argv[i].includes("=")) i++;
      continue;
    }
    kept.push(argv[i]);
  }
  return kept;
}
