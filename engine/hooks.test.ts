// The engine knows hooks, not faults: no engine module (tests aside) imports the fault
// catalogue (core/faults.ts) or holds one of its fault names in a string literal, so the one
// mapping from a fault to hooks stays outside the engine (runtimes/fault-hooks.ts). A
// structural test of the codebase: it reads the engine's source text.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_NAMES } from "../core/faults.ts";
import { REPO_ROOT } from "./load.ts";

/** Every engine source file but the tests, as [path from the repository root, text]. */
function engineSources(dir = join(REPO_ROOT, "engine")): [string, string][] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry): [string, string][] => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return engineSources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [[relative(REPO_ROOT, path), readFileSync(path, "utf8")]] : [];
  });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// A static or dynamic import of core/faults (with or without .ts), from any depth.
const IMPORTS_FAULTS = /(?:from|import)\s*\(?\s*["'`][^"'`\n]*\bcore\/faults(?:\.ts)?["'`]/;
// A string literal (quotes or backticks, on one line) that contains a fault name.
const FAULT_LITERAL = new RegExp(`["'\`][^"'\`\\n]*\\b(?:${FAULT_NAMES.map(escapeRegex).join("|")})\\b[^"'\`\\n]*["'\`]`);

/** The lines of `text` that break the rule, as "path:line: text". */
function violations(path: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (IMPORTS_FAULTS.test(line) || FAULT_LITERAL.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

describe("the engine and the fault catalogue", () => {
  const sources = engineSources();

  it("scans the whole engine", () => {
    const paths = sources.map(([path]) => path);
    expect(paths.length).toBeGreaterThan(50);
    for (const path of ["engine/model.ts", "engine/generate/session.ts", "engine/kv/cache.ts", "engine/convert.ts", "engine/hooks.ts"]) expect(paths).toContain(path);
  });

  it("the detector sees an import of the catalogue and a fault name in a literal, and nothing in clean code", () => {
    expect(violations("x.ts", 'import type { Fault } from "../../core/faults.ts";')).toHaveLength(1);
    expect(violations("x.ts", 'const { FAULTS } = await import("../core/faults");')).toHaveLength(1);
    expect(violations("x.ts", `if (fault === "${FAULT_NAMES[0]}") return;`)).toHaveLength(1);
    expect(violations("x.ts", `const why = \`the ${FAULT_NAMES[1]} bug\`;`)).toHaveLength(1);
    expect(violations("x.ts", "this.writesOneSlotBack = hooks.writesOneSlotBack === true;")).toEqual([]);
  });

  it("no engine module imports core/faults.ts or names a fault of the catalogue in a string literal", () => {
    expect(sources.flatMap(([path, text]) => violations(path, text))).toEqual([]);
  });
});
