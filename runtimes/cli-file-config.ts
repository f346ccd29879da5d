// The `files:` of a cli runtime's config (runtimes/cli-file-commands.ts runs them): an
// argument template per command of a model-file tool, the placeholders each may use, and the
// dotted paths that map its JSON output to refute's fields. Loads no engine code, so a config
// is checked without one.

import { RefuteError } from "../core/errors.ts";

export interface CliFileOperation {
  args: string[];
  output: Record<string, string>;
}

export interface CliFilesConfig {
  convert?: { args: string[] };
  inspect?: CliFileOperation;
  validate?: CliFileOperation;
  tensors?: CliFileOperation;
  diff?: CliFileOperation;
  list?: CliFileOperation;
}

export const FILE_OPERATIONS = ["convert", "inspect", "validate", "tensors", "diff", "list"] as const;
const PLACEHOLDERS: Record<(typeof FILE_OPERATIONS)[number], string[]> = {
  convert: ["model", "model_name", "format", "quant", "out"],
  inspect: ["file"],
  validate: ["file"],
  tensors: ["file"],
  diff: ["file_a", "file_b"],
  list: [],
};

/** Checks the `files` of a cli config: each operation's args and placeholders; errors name the field. */
export function parseFilesConfig(value: unknown, source: string): CliFilesConfig {
  const bad = (field: string, expected: string): never => {
    throw new RefuteError("E_CLI_CONFIG", `${source}: field 'files.${field}': expected ${expected}`, { source, field: `files.${field}` });
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return bad("(root)", "an object of operations");
  for (const [op, o] of Object.entries(value as Record<string, unknown>)) {
    if (!(FILE_OPERATIONS as readonly string[]).includes(op)) bad(op, `one of ${FILE_OPERATIONS.join(", ")}`);
    const operation = o as { args?: unknown; output?: unknown };
    if (!Array.isArray(operation?.args) || !operation.args.every((a) => typeof a === "string")) bad(`${op}.args`, "an array of strings");
    const allowed = PLACEHOLDERS[op as keyof typeof PLACEHOLDERS];
    for (const arg of operation.args as string[]) {
      for (const m of arg.matchAll(/\{([a-z_]+)\}/g)) if (!allowed.includes(m[1])) bad(`${op}.args`, `placeholders among ${allowed.map((p) => `{${p}}`).join(" ") || "(none)"}; found {${m[1]}}`);
    }
    if (op !== "convert" && (typeof operation.output !== "object" || operation.output === null)) bad(`${op}.output`, "an object of dotted paths");
  }
  return value as CliFilesConfig;
}

/** The values at a dotted path: "" is the document itself, "*" every item of an array. One value per match. */
export function valuesAt(doc: unknown, path: string): unknown[] {
  let values = [doc];
  for (const key of path === "" ? [] : path.split(".")) {
    values = values.flatMap((v) => {
      if (key === "*") return Array.isArray(v) ? v : [];
      if (v === null || typeof v !== "object") return [];
      const next = (v as Record<string, unknown>)[key];
      return next === undefined ? [] : [next];
    });
  }
  return values;
}
