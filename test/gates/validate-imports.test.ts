// Loading, validating and listing claims loads no engine module: the measure registry holds
// descriptors and observation code that imports the engine's types only. Measured on the real
// command, with a module hook that records every module the process resolves.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.ts";

function modulesLoadedBy(args: string[]): string[] {
  const log = join(tempDir(), "loads.txt");
  const result = spawnSync(process.execPath, ["--import", "./test/gates/fixtures/record-loads.mjs", "bin/refute.mjs", ...args], {
    env: { ...process.env, REFUTE_LOAD_LOG: log },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  const root = new URL(`file://${process.cwd()}/`).href;
  return [...new Set(readFileSync(log, "utf8").split("\n").filter((u) => u.startsWith(root) && !u.includes("/node_modules/")))].map((u) => u.slice(root.length));
}

describe("gates validate and list", () => {
  it("load no module of engine/ or runtimes/ but the runtime interface", () => {
    for (const args of [["gates", "validate"], ["gates", "list", "--suite", "kv"]]) {
      const loaded = modulesLoadedBy(args);
      expect(loaded, "the hook saw the command's own modules").toContain("gates/claims.ts");
      expect(loaded).toContain("measures/kv.ts");
      expect(loaded.filter((m) => m.startsWith("engine/"))).toEqual([]);
      expect(loaded.filter((m) => m.startsWith("runtimes/") && m !== "runtimes/runtime.ts" && m !== "runtimes/timing.ts")).toEqual([]);
    }
  });
});
