// The error-code list of core/error-codes.ts: each code once, in one area, with its meaning; and
// each raised somewhere (a code nobody raises is dead, and one raised but missing fails tsc).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../core/error-codes.ts";

const SOURCE_DIRS = ["cli", "gates", "measures", "runtimes", "engine", "core", "bench"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

const entries = Object.entries(ERROR_CODES).flatMap(([area, codes]) => Object.entries(codes).map(([code, meaning]) => ({ area, code, meaning })));

describe("error codes", () => {
  it("each code appears in one area only, is upper snake case and says what it means", () => {
    expect(new Set(entries.map((e) => e.code)).size).toBe(entries.length);
    for (const { code, meaning } of entries) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(meaning.length, code).toBeGreaterThan(10);
    }
  });

  it("each code is raised by some source file", () => {
    const text = SOURCE_DIRS.flatMap(sourceFiles)
      .filter((f) => f !== join("core", "error-codes.ts"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    expect(entries.filter((e) => !text.includes(`"${e.code}"`)).map((e) => e.code)).toEqual([]);
  });
});
