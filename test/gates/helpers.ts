// Shared by the gate runner's tests: run the committed claims against the fake subject and
// the fixture oracle, and capture a command's output.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatesDeps } from "../../cli/gates.ts";
import type { CheckResult, Report } from "../../gates/report.ts";
import { runGates, type GateOptions } from "../../gates/run.ts";
import { fakeFactory, FIXTURE_ORACLE, type FakeScript } from "./fake-runtime.ts";

export { FIXTURE_ORACLE };

export async function runFake(script: FakeScript = {}, options: Partial<GateOptions> = {}) {
  const fake = fakeFactory(script);
  const report = await runGates({ claimsDir: "claims", oracleDir: FIXTURE_ORACLE, factory: fake.factory, ...options });
  return { report, fake };
}

export function byVerdict(report: Report, verdict: CheckResult["verdict"]): string[] {
  return report.checks.filter((c) => c.verdict === verdict).map((c) => c.id);
}

export function tempDir(prefix = "refute-gates-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deps for gatesCommand that capture stdout and stderr and use the fake subject. */
export function captureDeps(script: FakeScript = {}): GatesDeps & { stdout: string[]; stderr: string[]; fake: ReturnType<typeof fakeFactory> } {
  const fake = fakeFactory(script);
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { factory: async () => fake.factory, out: (t) => stdout.push(t), err: (t) => stderr.push(t), stdout, stderr, fake };
}
