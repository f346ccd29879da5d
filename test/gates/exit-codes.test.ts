// A run's exit code tells configuration from refutation: a run in which every check is
// blocked ran nothing and exits 2, whatever --strict says; one falsified check exits 1.

import { describe, expect, it } from "vitest";
import { gatesCommand } from "../../cli/gates.ts";
import { blockedReasons, exitCodeFor } from "../../gates/report.ts";
import { BlockedError } from "../../runtimes/runtime.ts";
import { captureDeps, coreSuiteArgs, FIXTURE_ORACLE, tempDir } from "./helpers.ts";

const summary = (corroborated: number, falsified: number, blocked: number) => ({ total: corroborated + falsified + blocked, corroborated, falsified, blocked, score: 0 });

describe("exit codes", () => {
  it("0 clean, 1 falsified, 2 all blocked, 3 strict with some blocked", () => {
    expect(exitCodeFor(summary(5, 0, 0), false)).toBe(0);
    expect(exitCodeFor(summary(4, 1, 3), true)).toBe(1);
    expect(exitCodeFor(summary(0, 0, 3), false)).toBe(2);
    expect(exitCodeFor(summary(0, 0, 3), true)).toBe(2);
    expect(exitCodeFor(summary(2, 0, 3), false)).toBe(0);
    expect(exitCodeFor(summary(2, 0, 3), true)).toBe(3);
  });

  it("a run whose subject is unreachable blocks every check and exits 2", async () => {
    const deps = captureDeps({ fail: () => new BlockedError("http: cannot reach http://127.0.0.1:9 (ECONNREFUSED): is the server running?") });
    const code = await gatesCommand([...coreSuiteArgs(), "--oracle", FIXTURE_ORACLE, "--reports", tempDir()], deps);
    expect(code).toBe(2);
    const printed = deps.stdout.join("\n");
    expect(printed).toContain("every check is blocked; nothing ran:\n  63 x ");
    expect(printed.match(/cannot reach/g)).toHaveLength(1); // the reason once, not once per check
  });

  it("groups blocked reasons, most common first", () => {
    const check = (reason: string) => ({ verdict: "blocked", reason }) as Parameters<typeof blockedReasons>[0][number];
    expect(blockedReasons([check("b"), check("a"), check("b"), { ...check("x"), verdict: "corroborated" }])).toEqual([
      { reason: "b", count: 2 },
      { reason: "a", count: 1 },
    ]);
  });
});
