// The teeth run (gates/teeth.ts and `refute gates --teeth`) on five one-check fixture claims
// (fixtures/teeth-claims/) and a fake subject whose faults do what EFFECTS says: which fault
// each claim refutes, what the run calls a problem, and what it writes.
//
// Claims, sorted as in the report: 1 canary-q8-text, 2 drift-q8-within-q4 (catches nothing),
// 3 ppl-q8-ceiling, 4 roundtrip-q8-tokens, 5 token-q4-mismatch.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gatesCommand } from "../../cli/gates.ts";
import { FAULTS, GRADED_FAULTS } from "../../core/faults.ts";
import { powerOf } from "../../gates/power.ts";
import { runTeeth, teethMarkdown, type TeethReport } from "../../gates/teeth.ts";
import { BlockedError } from "../../runtimes/runtime.ts";
import { fakeFactory, type FakeScript, type FaultEffect } from "./fake-runtime.ts";
import { captureDeps, FIXTURE_ORACLE, tempDir } from "./helpers.ts";

const TEETH_CLAIMS = "test/gates/fixtures/teeth-claims";
const ALL = Array.from({ length: 32 }, (_, i) => i);

/** What each fault does to the fake subject; a fault not here (bos-prepended) changes nothing. */
const EFFECTS: Record<string, FaultEffect> = {
  "embedding-transposed": { flips: () => ALL }, // every token of every subject
  "q4-nibble-order-swapped": { flips: (s) => (s.quant === "q4_0" ? ALL : []) },
  "gguf-alignment-off": { flips: (s) => (s.format === "roundtrip" ? [3] : []) },
  "norm-epsilon-ignored": { perplexity: () => Number.NaN },
  "untied-head-as-tied": {
    flips: (s) => (s.format === "native" ? ALL : []),
    fail: (s) => (s.format === "roundtrip" ? new BlockedError("the round-tripped file cannot be written here") : undefined), // blocked, not a contract break (which roundtrip counts as refuted)
  },
};
const CAUGHT = ["embedding-transposed", "q4-nibble-order-swapped", "gguf-alignment-off", "norm-epsilon-ignored"];

async function teeth(faults: string[], script: FakeScript = {}) {
  const fake = fakeFactory({ faults: EFFECTS, ...script });
  const report = await runTeeth({ claimsDir: TEETH_CLAIMS, oracleDir: FIXTURE_ORACLE, newFactory: () => fake.factory, faults });
  return { report, fake };
}

const caughtBy = (r: TeethReport) => Object.fromEntries(r.faults.map((f) => [f.fault, f.caughtBy]));
const claim = (r: TeethReport, id: string) => r.claims.find((c) => c.claim === id)!;

describe("runTeeth", () => {
  it("passes when every fault is caught and every catches list holds; a claim that catches nothing is flagged, not a problem", async () => {
    const { report, fake } = await teeth(CAUGHT);
    expect(report.problems).toEqual([]);
    expect(report.summary).toEqual({ faults: 4, caught: 4, claims: 5, cleanFalsified: 0, cleanBlocked: 0, reusedChecks: 0, passed: true });
    expect(report.clean).toEqual({ falsified: [], blocked: [] });
    expect(caughtBy(report)).toEqual({
      "embedding-transposed": ["canary-q8-text", "token-q4-mismatch"],
      "q4-nibble-order-swapped": ["token-q4-mismatch"],
      "gguf-alignment-off": ["roundtrip-q8-tokens"],
      "norm-epsilon-ignored": ["ppl-q8-ceiling"],
    });
    expect(report.faults.map((f) => f.description)).toEqual(CAUGHT.map((f) => FAULTS[f as keyof typeof FAULTS]));
    expect(report.faults[0].checks).toEqual({ falsified: 2, corroborated: 3, blocked: 0, notRun: 0, reused: 0 });
    expect(report.claims).toEqual([
      { claim: "canary-q8-text", catches: ["embedding-transposed"], refuted: ["embedding-transposed"], missing: [], catchesNothing: false },
      { claim: "drift-q8-within-q4", catches: [], refuted: [], missing: [], catchesNothing: true },
      { claim: "ppl-q8-ceiling", catches: ["norm-epsilon-ignored"], refuted: ["norm-epsilon-ignored"], missing: [], catchesNothing: false },
      { claim: "roundtrip-q8-tokens", catches: ["gguf-alignment-off"], refuted: ["gguf-alignment-off"], missing: [], catchesNothing: false },
      { claim: "token-q4-mismatch", catches: ["embedding-transposed", "q4-nibble-order-swapped"], refuted: ["embedding-transposed", "q4-nibble-order-swapped"], missing: [], catchesNothing: false },
    ]);
    // One fresh runtime per pass, each closed; each pass injects its own fault and no other.
    expect(fake.made).toHaveLength(5);
    expect(fake.made.every((r) => r.closed)).toBe(true);
    expect(fake.made.map((r) => [...new Set(r.calls.map((c) => c.split(" ")[1].split("/")[5]))])).toEqual([["-"], ...CAUGHT.map((f) => [f])]);
  });

  it("fails when a fault is caught by no claim", async () => {
    const { report } = await teeth(["embedding-transposed", "bos-prepended"]);
    expect(report.problems).toEqual(["fault bos-prepended is caught by no claim"]);
    expect(report.summary).toMatchObject({ faults: 2, caught: 1, passed: false });
    expect(caughtBy(report)["bos-prepended"]).toEqual([]);
    // Catches of faults this run left out are not held against their claims.
    expect(claim(report, "roundtrip-q8-tokens")).toMatchObject({ refuted: [], missing: [] });
  });

  it("fails when a claim lists a fault it did not refute, even if another claim caught it", async () => {
    // embedding-transposed breaks only q8_0 here: canary and drift catch it, the q4_0 token claim does not.
    const { report } = await teeth(["embedding-transposed"], { faults: { ...EFFECTS, "embedding-transposed": { flips: (s) => (s.quant === "q8_0" ? ALL : []) } } });
    expect(caughtBy(report)).toEqual({ "embedding-transposed": ["canary-q8-text", "drift-q8-within-q4"] });
    expect(report.problems).toEqual(["claim token-q4-mismatch lists embedding-transposed in catches but did not refute it"]);
    expect(claim(report, "token-q4-mismatch")).toMatchObject({ refuted: [], missing: ["embedding-transposed"], catchesNothing: true });
    expect(report.summary).toMatchObject({ caught: 1, passed: false });
  });

  it("fails when the clean engine falsifies a claim, and does not count that claim as catching any fault", async () => {
    // The last q8_0 token is wrong with or without a fault: the canary fails clean.
    const { report } = await teeth(["q4-nibble-order-swapped", "bos-prepended"], { flips: (s) => (s.quant === "q8_0" ? [31] : []) });
    expect(report.clean).toEqual({ falsified: ["canary-q8-text"], blocked: [] });
    expect(report.summary).toMatchObject({ cleanFalsified: 1, caught: 1, passed: false });
    expect(caughtBy(report)).toEqual({ "q4-nibble-order-swapped": ["token-q4-mismatch"], "bos-prepended": [] });
    expect(report.problems).toEqual(["clean engine falsifies canary-q8-text", "fault bos-prepended is caught by no claim"]);
  });

  it("a check the clean engine cannot run is counted, not a problem, and not blamed on a fault", async () => {
    const { report } = await teeth(["embedding-transposed"], { fail: (_, op) => (op === "perplexity" ? new BlockedError("no held-out text on this subject") : undefined) });
    expect(report.clean).toEqual({ falsified: [], blocked: ["ppl-q8-ceiling"] });
    expect(report.summary).toMatchObject({ cleanBlocked: 1, caught: 1, passed: true });
    expect(report.faults[0].blocked).toEqual([]);
  });

  it("under a fault, the rest of a claim is left unrun once one of its checks refuted it; the clean pass runs everything", async () => {
    // token-q4-mismatch on four prompts: every one is wrong under embedding-transposed, so one check answers for the claim.
    const dir = tempDir();
    for (const f of readdirSync(TEETH_CLAIMS)) {
      const text = readFileSync(join(TEETH_CLAIMS, f), "utf8");
      writeFileSync(join(dir, f), f === "token.yaml" ? text.replace("each: [code]", "each: [code, arithmetic, completion, greeting]") : text);
    }
    const passes: (() => string[])[] = [];
    const report = await runTeeth({
      claimsDir: dir,
      oracleDir: FIXTURE_ORACLE,
      newFactory: () => {
        const fake = fakeFactory({ faults: EFFECTS });
        passes.push(fake.calls);
        return fake.factory;
      },
      faults: ["embedding-transposed", "q4-nibble-order-swapped", "bos-prepended"],
    });
    const q4Generations = passes.map((calls) => calls().filter((c) => c.startsWith("generate tiny-llama/native/q4_0/")).length);
    expect(q4Generations).toEqual([4, 1, 1, 4]); // clean: all four; each refuting fault: one; bos-prepended refutes nothing, so all four run
    expect(caughtBy(report)).toMatchObject({ "embedding-transposed": ["canary-q8-text", "token-q4-mismatch"], "q4-nibble-order-swapped": ["token-q4-mismatch"], "bos-prepended": [] });
    expect(report.faults.map((f) => f.checks)).toEqual([
      { falsified: 2, corroborated: 3, blocked: 0, notRun: 3, reused: 0 },
      { falsified: 1, corroborated: 4, blocked: 0, notRun: 3, reused: 0 },
      { falsified: 0, corroborated: 8, blocked: 0, notRun: 0, reused: 0 },
    ]);
  });

  it("lists catches that are not in the fault catalogue as problems", async () => {
    const dir = tempDir();
    for (const f of readdirSync(TEETH_CLAIMS)) {
      const text = readFileSync(join(TEETH_CLAIMS, f), "utf8");
      writeFileSync(join(dir, f), f === "ppl.yaml" ? text.replace("[norm-epsilon-ignored]", "[norm-epsilon-ignored, softmax-overflow]") : text);
    }
    const fake = fakeFactory({ faults: EFFECTS });
    const report = await runTeeth({ claimsDir: dir, oracleDir: FIXTURE_ORACLE, newFactory: () => fake.factory, faults: ["norm-epsilon-ignored"] });
    expect(report.problems).toEqual(["claim ppl-q8-ceiling lists softmax-overflow, which is not in the fault catalogue"]);
  });
});

describe("teethMarkdown", () => {
  it("draws the fault x claim matrix: X refuted, b blocked under the fault, . held", async () => {
    const { report } = await teeth(["untied-head-as-tied", "gguf-alignment-off"]);
    expect(report.faults[0]).toMatchObject({ caughtBy: ["canary-q8-text", "token-q4-mismatch"], blocked: ["roundtrip-q8-tokens"], checks: { falsified: 2, corroborated: 2, blocked: 1, notRun: 0, reused: 0 } });
    const md = teethMarkdown(report);
    expect(md).toContain("2/2 faults caught; clean engine: 0 falsified, 0 blocked checks; passed.");
    expect(md).toContain("| fault | caught by | 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|---|---|\n| untied-head-as-tied | 2 | X | . | . | b | X |\n| gguf-alignment-off | 1 | . | . | . | X | . |\n");
    expect(md).toContain("1. `canary-q8-text`\n2. `drift-q8-within-q4` (catches no fault)\n3. `ppl-q8-ceiling` (catches no fault)\n4. `roundtrip-q8-tokens`\n5. `token-q4-mismatch`\n");
    expect(md).not.toContain("## Problems");
  });

  it("says FAILED and lists the problems", async () => {
    const md = teethMarkdown((await teeth(["bos-prepended"])).report);
    expect(md).toContain("0/1 faults caught; clean engine: 0 falsified, 0 blocked checks; FAILED.");
    expect(md).toContain("| bos-prepended | 0 | . | . | . | . | . |");
    expect(md).toContain("## Problems\n\n- fault bos-prepended is caught by no claim\n");
  });
});

describe("refute gates --teeth", () => {
  const args = (reports: string, ...faults: string[]) => ["--teeth", "--claims", TEETH_CLAIMS, "--oracle", FIXTURE_ORACLE, "--reports", reports, ...faults.flatMap((f) => ["--fault", f])];

  it("exit 0, writes teeth.json and teeth.md and nothing else; --fault limits the faults run", async () => {
    const dir = join(tempDir(), "reports");
    const deps = captureDeps({ faults: EFFECTS });
    expect(await gatesCommand(args(dir, "q4-nibble-order-swapped", "gguf-alignment-off"), deps)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["teeth.json", "teeth.md"]);
    const report = JSON.parse(readFileSync(join(dir, "teeth.json"), "utf8")) as TeethReport;
    expect(report.summary).toEqual({ faults: 2, caught: 2, claims: 5, cleanFalsified: 0, cleanBlocked: 0, reusedChecks: 0, passed: true });
    // the commit it ran at, for `report publish` to compare with the report's
    expect(report.gitSha).toBe(execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim());
    expect(caughtBy(report)).toEqual({ "q4-nibble-order-swapped": ["token-q4-mismatch"], "gguf-alignment-off": ["roundtrip-q8-tokens"] });
    expect(readFileSync(join(dir, "teeth.md"), "utf8")).toBe(teethMarkdown(report));
    const injected = new Set(deps.fake.calls().map((c) => c.split(" ")[1].split("/")[5]));
    expect(injected).toEqual(new Set(["-", "q4-nibble-order-swapped", "gguf-alignment-off"]));
    expect(deps.stderr).toEqual(["teeth 1/3: clean", "teeth 2/3: q4-nibble-order-swapped", "teeth 3/3: gguf-alignment-off"]);
    const out = deps.stdout.join("\n");
    expect(out).toContain("teeth: 2/2 faults caught; clean engine 0 falsified, 0 blocked");
    expect(out).toMatch(/^ {2}gguf-alignment-off +roundtrip-q8-tokens$/m);
    expect(out).not.toContain("problem:");
  });

  it("--jobs 2 runs the clean pass in two shards, then splits the faults round robin between two runs against the shards' union, and merges them into the report one run would write", async () => {
    const faults = ["q4-nibble-order-swapped", "gguf-alignment-off", "norm-epsilon-ignored", "embedding-transposed", "bos-prepended"];
    const single = join(tempDir(), "single");
    expect(await gatesCommand(args(single, ...faults), captureDeps({ faults: EFFECTS }))).toBe(1); // bos-prepended is caught by nothing
    const shared = join(tempDir(), "shared");
    const cleanShards: string[] = [];
    const shares: string[][] = [];
    const cleanCalls: string[][] = [];
    const deps = {
      ...captureDeps({ faults: EFFECTS }),
      teethWorker: async (workerArgs: string[]) => {
        const values = (option: string) => workerArgs.flatMap((a, i) => (workerArgs[i - 1] === option ? [a] : []));
        if (workerArgs.includes("--teeth-clean-shard")) cleanShards.push(...values("--teeth-clean-shard"));
        else shares.push(values("--fault"));
        expect(workerArgs).not.toContain("--json"); // a process shows its progress
        const workerDeps = captureDeps({ faults: EFFECTS });
        await gatesCommand(workerArgs, workerDeps);
        cleanCalls.push(workerDeps.fake.calls().filter((c) => c.split(" ")[1].split("/")[5] === "-"));
      },
    };
    expect(await gatesCommand([...args(shared, ...faults), "--jobs", "2"], deps)).toBe(1);
    expect(cleanShards).toEqual(["1/2", "2/2"]);
    expect(shares).toEqual([
      ["q4-nibble-order-swapped", "norm-epsilon-ignored", "bos-prepended"],
      ["gguf-alignment-off", "embedding-transposed"],
    ]);
    // the clean subject ran in the two shards only, each a part of it, not in the fault runs
    expect(cleanCalls[0].length).toBeGreaterThan(0);
    expect(cleanCalls[1].length).toBeGreaterThan(0);
    expect(cleanCalls.slice(2)).toEqual([[], []]);
    const read = (dir: string) => JSON.parse(readFileSync(join(dir, "teeth.json"), "utf8")) as TeethReport;
    const timeless = (r: TeethReport) => ({ ...r, cleanDurationMs: 0, faults: r.faults.map((f) => ({ ...f, durationMs: 0, slowest: [] })) }); // timings differ run to run
    expect(timeless(read(shared))).toEqual(timeless(read(single)));
    expect(readdirSync(shared).sort()).toEqual(["teeth.json", "teeth.md"]); // the processes' own files are gone
  });

  it("--jobs balances the shares by the fault times of the teeth report an earlier run left in the reports directory", async () => {
    const faults = ["q4-nibble-order-swapped", "gguf-alignment-off", "norm-epsilon-ignored", "embedding-transposed"];
    const dir = join(tempDir(), "reports");
    mkdirSync(dir, { recursive: true });
    // round robin would put the two slow ones (the first and third) in one share
    const times = { "q4-nibble-order-swapped": 90_000, "gguf-alignment-off": 1_000, "norm-epsilon-ignored": 80_000, "embedding-transposed": 1_000 };
    writeFileSync(join(dir, "teeth.json"), JSON.stringify({ faults: Object.entries(times).map(([fault, durationMs]) => ({ fault, durationMs })) }));
    const shares: string[][] = [];
    const deps = {
      ...captureDeps({ faults: EFFECTS }),
      teethWorker: async (workerArgs: string[]) => {
        if (!workerArgs.includes("--teeth-clean-shard")) shares.push(workerArgs.flatMap((a, i) => (workerArgs[i - 1] === "--fault" ? [a] : [])));
        await gatesCommand(workerArgs, captureDeps({ faults: EFFECTS }));
      },
    };
    expect(await gatesCommand([...args(dir, ...faults), "--jobs", "2"], deps)).toBe(0);
    // longest first, each to the lighter share: 90 s against 80 + 1 + 1
    expect(shares).toEqual([["q4-nibble-order-swapped"], ["gguf-alignment-off", "norm-epsilon-ignored", "embedding-transposed"]]);
  });

  it("--jobs without --teeth is a usage error (exit 2) pointing at --shard", async () => {
    const deps = captureDeps({ faults: EFFECTS });
    expect(await gatesCommand(["--claims", TEETH_CLAIMS, "--oracle", FIXTURE_ORACLE, "--reports", tempDir(), "--jobs", "2"], deps)).toBe(2);
    expect(deps.stderr.join("\n")).toMatch(/--jobs splits the faults of a teeth run .*--shard k\/n/);
    expect(deps.fake.made).toEqual([]);
  });

  it("--jobs: a clean shard that was not written is an error naming its file (exit 2), not a run against part of the clean pass", async () => {
    const deps = {
      ...captureDeps({ faults: EFFECTS }),
      teethWorker: async (workerArgs: string[]) => {
        if (workerArgs.includes("2/2")) return; // the second shard's process wrote nothing
        await gatesCommand(workerArgs, captureDeps({ faults: EFFECTS }));
      },
    };
    const dir = tempDir();
    expect(await gatesCommand([...args(dir, "q4-nibble-order-swapped", "gguf-alignment-off"), "--jobs", "2"], deps)).toBe(2);
    expect(deps.stderr.join("\n")).toMatch(/teeth-share-2\/teeth-clean\.json: a clean shard cannot be read/);
  });

  it("--teeth-clean: shards that do not make up the clean pass are refused", async () => {
    const dir = tempDir();
    const deps = captureDeps({ faults: EFFECTS });
    expect(await gatesCommand([...args(join(dir, "s1")), "--teeth-clean-shard", "1/2"], deps)).toBe(0);
    const shard = join(dir, "s1", "teeth-clean.json");
    expect(await gatesCommand([...args(join(dir, "run"), "gguf-alignment-off"), "--teeth-clean", shard], deps)).toBe(2);
    expect(deps.stderr.join("\n")).toMatch(/the clean shards have \d+ checks where the clean pass has \d+/);
  });

  it("exit 1 when a fault goes uncaught, naming it; the reports are still written", async () => {
    const dir = tempDir();
    const deps = captureDeps({ faults: EFFECTS });
    expect(await gatesCommand(args(dir, "bos-prepended"), deps)).toBe(1);
    const out = deps.stdout.join("\n");
    expect(out).toMatch(/^ {2}bos-prepended +NOT CAUGHT$/m);
    expect(out).toContain("problem: fault bos-prepended is caught by no claim");
    expect(JSON.parse(readFileSync(join(dir, "teeth.json"), "utf8")).summary).toMatchObject({ faults: 1, caught: 0, passed: false });
  });

  it("--json prints the teeth report, as written, and no progress", async () => {
    const dir = tempDir();
    const deps = captureDeps({ faults: EFFECTS });
    expect(await gatesCommand([...args(dir, "norm-epsilon-ignored"), "--json"], deps)).toBe(0);
    expect(deps.stderr).toEqual([]);
    expect(deps.stdout).toHaveLength(1);
    expect(JSON.parse(deps.stdout[0])).toEqual(JSON.parse(readFileSync(join(dir, "teeth.json"), "utf8")));
  });

  it("exit 2 for an unknown fault (--inject or --fault) and for --inject with --teeth; runs nothing, writes nothing", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--inject", "no-such-fault"], /option '--inject <fault>' argument 'no-such-fault' is invalid\. Allowed choices are embedding-transposed, /],
      [["--fault", "no-such-fault"], /option '--fault <name>' argument 'no-such-fault' is invalid\. Allowed choices are embedding-transposed, /],
      [["--inject", "embedding-transposed"], /--teeth injects every fault in turn; use --fault/],
    ];
    for (const [extra, message] of cases) {
      const dir = join(tempDir(), "reports");
      const deps = captureDeps({ faults: EFFECTS });
      expect(await gatesCommand([...args(dir), ...extra], deps), extra.join(" ")).toBe(2);
      expect(deps.stderr.join("\n")).toMatch(message);
      expect(deps.stderr.join("\n")).toContain("[E_USAGE]");
      expect(deps.fake.made).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }
  });
});

describe("power against graded faults", () => {
  const outcome = (fault: string, caughtBy: string[]) => ({ fault, description: "", caughtBy, blocked: [], checks: { falsified: 0, corroborated: 0, blocked: 0, notRun: 0, reused: 0 }, durationMs: 0, slowest: [] });

  it("gives each claim the finest magnitude of each kind it refuted, over the magnitudes that ran", () => {
    const outcomes = [
      outcome("residual-scaled-1e-2", ["a", "b"]),
      outcome("residual-scaled-1e-3", ["a"]),
      outcome("residual-scaled-1e-4", ["a"]),
      outcome("residual-scaled-1e-5", []),
      outcome("norm-epsilon-x1000", ["b"]),
    ];
    expect(powerOf(outcomes, ["a", "b", "c"])).toEqual([
      { family: "residual-scaled", what: "e in x + (1 - e) f(x)", claim: "a", finest: 1e-4, refuted: [1e-2, 1e-3, 1e-4] },
      { family: "residual-scaled", what: "e in x + (1 - e) f(x)", claim: "b", finest: 1e-2, refuted: [1e-2] },
      { family: "norm-epsilon-scaled", what: "k in epsilon x k", claim: "b", finest: 1000, refuted: [1000] },
    ]);
    expect(powerOf([outcome("bos-prepended", ["a"])], ["a"])).toEqual([]); // no graded fault ran
  });

  it("every graded magnitude is a fault of the catalogue", () => {
    for (const { magnitudes } of Object.values(GRADED_FAULTS)) for (const [fault] of magnitudes) expect(FAULTS).toHaveProperty(fault);
  });
});
