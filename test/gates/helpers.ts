// Shared by the gate runner's tests: run the committed core claims against the fake subject
// and the fixture oracle, and capture a command's output.
//
// claims/ also holds suites that probe the embedded engine directly (fgt, layout, kernels,
// quant: they ignore the runtime factory) and may gain more; tests about the five core suites
// select them explicitly, so a new claim file changes none of their counts.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatesDeps } from "../../cli/gates.ts";
import type { CheckResult, Report } from "../../gates/report.ts";
import { runGates, type GateOptions } from "../../gates/run.ts";
import { fakeFactory, FIXTURE_ORACLE, type FakeScript } from "./fake-runtime.ts";

export { FIXTURE_ORACLE };

/** The seed's five core suites: canary 12, token 24, drift 12, roundtrip 6, ppl 9 = 63 checks. */
export const CORE_SUITES = ["canary", "token", "drift", "roundtrip", "ppl"];
export const CORE_CHECKS = 63;

/** `--suite canary --suite token ...`: the command-line selection of the core suites. */
export const coreSuiteArgs = (): string[] => CORE_SUITES.flatMap((s) => ["--suite", s]);

/**
 * Runs the core suites of the committed claims on the fake subject. `options.select` narrows
 * further (its `suites`, when given, replace the core ones).
 */
export async function runFake(script: FakeScript = {}, options: Partial<GateOptions> = {}) {
  const fake = fakeFactory(script);
  const report = await runGates({ claimsDir: "claims", oracleDir: FIXTURE_ORACLE, factory: fake.factory, ...options, select: { suites: CORE_SUITES, ...options.select } });
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
