// Shared by the gate runner's tests: run the fixture core claims against the fake subject
// and the fixture oracle, and capture a command's output.
//
// The fixture claims (fixtures/core-claims/) are the seed's five core suites as the catalogue
// had them; the runner's tests run those, not claims/, so adding a claim to the catalogue
// changes none of their counts.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatesDeps } from "../../cli/gates.ts";
import type { CheckResult, Report } from "../../gates/report.ts";
import { runGates, type GateOptions } from "../../gates/run.ts";
import { fakeFactory, FIXTURE_ORACLE, type FakeScript } from "./fake-runtime.ts";

export { FIXTURE_ORACLE };

/** The fixture claims: the seed's five core suites. */
export const CORE_CLAIMS = "test/gates/fixtures/core-claims";

/** The seed's five core suites: canary 12, token 24, drift 12, roundtrip 6, ppl 9 = 63 checks. */
export const CORE_SUITES = ["canary", "token", "drift", "roundtrip", "ppl"];
export const CORE_CHECKS = 63;

/** `--claims <fixture core claims>`: the command-line selection of the core suites. */
export const coreSuiteArgs = (): string[] => ["--claims", CORE_CLAIMS];

/** Runs the fixture core claims on the fake subject; `options.select` narrows them. */
export async function runFake(script: FakeScript = {}, options: Partial<GateOptions> = {}) {
  const fake = fakeFactory(script);
  const report = await runGates({ claimsDir: CORE_CLAIMS, oracleDir: FIXTURE_ORACLE, factory: fake.factory, ...options });
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
