// .github/workflows/test.yml runs on every push and pull request, and runs exactly the
// README's test command (the one .ci/run runs) and `pnpm typecheck`.

import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";

interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { strategy?: { matrix?: { node?: number[] } }; steps: Array<{ run?: string; with?: Record<string, unknown> }> }>;
}

const workflow = yaml.load(readFileSync(".github/workflows/test.yml", "utf8")) as Workflow;
const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run.trim()] : [])));

/** The second sh block of the README: its test command. */
function readmeTestCommand(): string {
  const blocks = [...readFileSync("README.md", "utf8").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  return blocks[1];
}

describe("test workflow", () => {
  it("runs on every push and pull request", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
  });

  it("runs the README's test command, the same as .ci/run", () => {
    const command = readmeTestCommand();
    expect(command).toMatch(/pnpm test$/);
    expect(runs).toContain(command);
    expect(readFileSync(".ci/run", "utf8").trim().split("\n").at(-1)).toBe(command);
  });

  it("runs on Node 20 and Node 24, so the SIMD and the relaxed-SIMD kernels are both tested", () => {
    const { test } = workflow.jobs;
    expect(test.strategy?.matrix?.node).toEqual([20, 24]);
    expect(test.steps.find((s) => s.with?.["node-version"] !== undefined)?.with?.["node-version"]).toBe("${{ matrix.node }}");
  });

  it("type-checks with the package's typecheck script over every source folder", () => {
    expect(runs).toContain("pnpm typecheck");
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.typecheck).toBe("tsc --noEmit");
    const tsconfig = JSON.parse(readFileSync("tsconfig.json", "utf8")) as { include: string[] };
    const sourceFolders = ["bench", "bin", "cli", "core", "engine", "gates", "measures", "runtimes", "scripts", "test"];
    for (const folder of sourceFolders) expect(tsconfig.include).toContain(folder);
  });
});
