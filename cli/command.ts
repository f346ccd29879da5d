// How every `refute` command is declared and run: with commander, so each command's --help is
// generated from the specs of its options and arguments (description, placeholder, default,
// choices) and bad input is refused before the command runs. Commander never exits the process
// here: its errors come back as values (exitOverride), and everything it prints goes through
// the command's Output (configureOutput), so a test captures both.
//
// Exit codes: the action's own; 0 after --help; 2 for a usage error (unknown option or command,
// missing or bad value: the message names the option and what was expected) and for any
// RefuteError (configuration or input), printed as "<command path>: <message> [<code>]".

import { Command, CommanderError } from "commander";
import { isRefuteError, RefuteError } from "../core/errors.ts";

/** Where a command's output goes: stdout and stderr, or a test's capture. One call per message. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const consoleOutput: Output = { out: (t) => console.log(t), err: (t) => console.error(t) };

const withoutNewline = (text: string) => (text.endsWith("\n") ? text.slice(0, -1) : text);

/**
 * The `refute` program, printing through `io` and throwing instead of exiting. Subcommands made
 * with .command() inherit these settings. Options are positional: a command's options come
 * before its subcommand's name, so subcommands may reuse option names.
 */
export function refuteProgram(io: Output): Command {
  return new Command("refute")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(withoutNewline(s)), writeErr: (s) => io.err(withoutNewline(s)) })
    .enablePositionalOptions();
}

/** `refute <name>`: a command of its own program; runCommand runs it. */
export function refuteCommand(name: string, io: Output): Command {
  return refuteProgram(io).command(name);
}

const exitCodes = new WeakMap<Command, number>();

function rootOf(command: Command): Command {
  return command.parent ? rootOf(command.parent) : command;
}

function pathOf(command: Command): string {
  return command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name();
}

function withDescendants(command: Command): Command[] {
  return [command, ...command.commands.flatMap(withDescendants)];
}

/** Sets what the command does; the exit code it resolves to is what runProgram returns. */
export function onRun<Args extends unknown[]>(command: Command, action: (...args: Args) => Promise<number>): Command {
  return command.action(async (...args: unknown[]) => {
    exitCodes.set(rootOf(command), await action(...(args as Args)));
  });
}

/** Commander's refusal as the project's usage error, its "error: " prefix dropped. */
function usageError(e: CommanderError): RefuteError {
  return new RefuteError("E_USAGE", e.message.replace(/^error: /, ""), { reason: e.code });
}

/** Runs `refute <command> <argv...>` for a command made by refuteCommand. */
export function runCommand(command: Command, argv: string[], io: Output): Promise<number> {
  return runProgram(rootOf(command), [command.name(), ...argv], io);
}

/** Parses `argv` (the arguments after `refute`) and runs the command it names; resolves to the exit code. */
export async function runProgram(program: Command, argv: string[], io: Output): Promise<number> {
  // The command whose input was refused, or whose action threw, names the error.
  let current = program;
  for (const command of withDescendants(program)) command.configureOutput({ outputError: () => void (current = command) });
  program.hook("preAction", (_, actionCommand) => void (current = actionCommand));
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCodes.get(program) ?? 0;
  } catch (e) {
    if (e instanceof CommanderError && e.code === "commander.helpDisplayed") return 0;
    // A command of subcommands given none: commander has printed its help to stderr.
    if (e instanceof CommanderError && e.code === "commander.help") return 2;
    const error = e instanceof CommanderError ? usageError(e) : e;
    if (!isRefuteError(error)) throw error;
    const hint = error.code === "E_USAGE" ? `\n(see \`${pathOf(current)} --help\`)` : "";
    io.err(`${pathOf(current)}: ${error.message} [${error.code}]${hint}`);
    return 2;
  }
}
