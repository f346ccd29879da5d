// Shared command-line parsing: node's util.parseArgs plus --help text and usage errors that
// name the option and what was expected.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { RefuteError } from "../core/errors.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Parses argv; returns null after printing help when --help was given. */
export function parseCommand(argv: string[], options: Options, help: string, allowPositionals = false): Parsed | null {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true }) as Parsed;
  } catch (e) {
    throw new RefuteError("E_USAGE", `${(e as Error).message}\n\n${help}`, {});
  }
  if (parsed.values.help) {
    console.log(help);
    return null;
  }
  return parsed;
}

export function requireString(values: Parsed["values"], name: string, help: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.length === 0) throw new RefuteError("E_USAGE", `--${name} is required\n\n${help}`, { option: name });
  return v;
}

export function positiveInteger(values: Parsed["values"], name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isSafeInteger(n) || n <= 0) {
    throw new RefuteError("E_USAGE", `--${name} must be a positive integer, found ${JSON.stringify(v)}`, { option: name });
  }
  return n;
}
