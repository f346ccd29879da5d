// `refute gates` as a command: every exit code, --json, --strict, --shard, and the report
// files it writes (atomically, valid against gates/report.schema.json).

import { EMPTY_CONFIG } from "../../core/config.ts";
import { existsSync, readdirSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gatesCommand } from "../../cli/gates.ts";
import { BlockedError } from "../../runtimes/runtime.ts";
import { wasmMemory64Available, wasmRelaxedSimdAvailable } from "../../engine/backends/wasm/module.ts";
import { revectorizationAvailable } from "../../engine/backends/wasm/revectorize.ts";
import { validateReport } from "../../gates/write.ts";
import { gitSha, type Report } from "../../gates/report.ts";
import { readClaims } from "../../gates/claims.ts";
import { planChecks } from "../../gates/run.ts";
import { captureDeps, CORE_CLAIMS, coreSuiteArgs, FIXTURE_ORACLE, tempDir } from "./helpers.ts";

const base = (reports: string) => ["--oracle", FIXTURE_ORACLE, "--reports", reports];
const q4Wrong = { flips: (s: { quant: string; model: string }, p: string) => (s.quant === "q4_0" && s.model === "tiny-gpt2" && p === "code" ? [0, 1, 2, 3, 4, 5, 6] : []) };
const gpuBlocked = { fail: (s: { model: string }) => (s.model === "tiny-qwen2" ? new BlockedError("no CUDA device") : undefined) };

describe("refute gates exit codes", () => {
  it("0 when everything is corroborated, with progress on stderr and a summary on stdout", async () => {
    const deps = captureDeps();
    const dir = tempDir();
    expect(await gatesCommand(["--suite", "canary", ...base(dir)], deps)).toBe(0);
    expect(deps.stderr.length).toBe(12);
    expect(deps.stderr[0]).toMatch(/^\[ 1\/12\] .*corroborated.*canary-int8-exact-text {2}tiny-llama native q8_0 cpu embedded · arithmetic/);
    expect(deps.stdout.join("\n")).toContain("refute: 12/12 corroborated, 0 falsified, 0 blocked · score 100.0%");
  });

  it("1 when a check is falsified, naming it in the summary", async () => {
    const deps = captureDeps(q4Wrong);
    expect(await gatesCommand(["--suite", "token", ...base(tempDir())], deps)).toBe(1);
    expect(deps.stdout.join("\n")).toContain("[token-int4-mismatch] tiny-gpt2 native q4_0 cpu embedded · code: mismatched tokens = 7 > 5");
  });

  it("0 when checks are blocked and nothing is falsified; 3 with --strict; 1 with --strict when also falsified", async () => {
    expect(await gatesCommand(["--suite", "canary", ...base(tempDir())], captureDeps(gpuBlocked))).toBe(0);
    expect(await gatesCommand(["--suite", "canary", "--strict", ...base(tempDir())], captureDeps(gpuBlocked))).toBe(3);
    expect(await gatesCommand(["--suite", "token", "--strict", ...base(tempDir())], captureDeps({ ...gpuBlocked, ...q4Wrong }))).toBe(1);
    expect(await gatesCommand(["--suite", "canary", "--model", "tiny-llama", "--strict", ...base(tempDir())], captureDeps(gpuBlocked))).toBe(0);
  });

  it("2 for usage errors: unknown option, bad shard, unknown claim, bad backend, bad concurrency, bad threads", async () => {
    for (const args of [["--bogus"], ["--shard", "5/4"], ["--claim", "no-such-claim"], ["--backend", "tpu"], ["--concurrency", "0"], ["--threads", "two"], ["stray-positional"]]) {
      const deps = captureDeps();
      expect(await gatesCommand([...args, ...base(tempDir())], deps), args.join(" ")).toBe(2);
      expect(deps.stderr.join("\n")).toMatch(/refute gates: /);
      expect(deps.fake.made).toEqual([]); // no runtime was even made
    }
  });

  it("2 for configuration errors: an invalid claim file, naming file, claim and field", async () => {
    const claims = tempDir();
    cpSync("claims", claims, { recursive: true });
    const file = join(claims, "token.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("threshold: 5", "threshold: five"));
    const deps = captureDeps();
    expect(await gatesCommand(["--claims", claims, ...base(tempDir())], deps)).toBe(2);
    expect(deps.stderr.join("\n")).toMatch(/token\.yaml: claim 'token-int4-mismatch' field 'prediction\.threshold': expected number \| object; found "five".*\[E_CLAIMS\]/s);
    const validate = captureDeps();
    expect(await gatesCommand(["validate", "--claims", claims], validate)).toBe(2);
    expect(validate.stderr[0]).toMatch(/token\.yaml: claim 'token-int4-mismatch' field 'prediction\.threshold'/);
    const ok = captureDeps();
    expect(await gatesCommand(["validate", "--claims", CORE_CLAIMS], ok)).toBe(0);
    expect(ok.stdout).toEqual(["5 claim files, 8 claims, 63 checks: valid"]);
    const committed = captureDeps();
    expect(await gatesCommand(["validate"], committed)).toBe(0);
    const { files, claims: all } = await readClaims("claims");
    expect(committed.stdout).toEqual([`${files.length} claim files, ${all.length} claims, ${(await planChecks({})).length} checks: valid`]);
  });

  it("--threads is a value given to the runtimes and the report, not an environment variable", async () => {
    const before = process.env.REFUTE_THREADS;
    const deps = captureDeps();
    const settings: unknown[] = [];
    const factory = deps.factory;
    deps.factory = (s) => (settings.push(s), factory(s));
    expect(await gatesCommand(["--threads", "1", "--json", "--suite", "canary", "--model", "tiny-llama", ...base(tempDir())], deps)).toBe(0);
    expect(process.env.REFUTE_THREADS).toBe(before);
    expect(settings).toEqual([{ threads: 1, config: EMPTY_CONFIG }]);
    const wide = wasmMemory64Available() ? "; memory64 for models over 3.5 GiB" : "";
    const relaxed = revectorizationAvailable() ? "relaxed SIMD, revectorized to 256 bits" : "relaxed SIMD";
    expect((JSON.parse(deps.stdout[0]) as Report).run.backends).toEqual([`cpu = cpu-wasm (${wasmRelaxedSimdAvailable() ? relaxed : "WebAssembly SIMD"}, 1 thread${wide})`]);
  });

  it("--help on every subcommand exits 0 and runs nothing", async () => {
    for (const args of [["--help"], ["run", "-h"], ["validate", "--help"], ["list", "--help"], ["claims-md", "--help"]]) {
      const deps = captureDeps();
      expect(await gatesCommand(args, deps)).toBe(0);
      expect(deps.stdout[0]).toMatch(/^Usage: refute gates/);
    }
  });
});

describe("refute gates output", () => {
  it("--json prints exactly one JSON object (the report) on stdout and no progress", async () => {
    const deps = captureDeps(q4Wrong);
    expect(await gatesCommand(["--json", "--suite", "token", "--model", "tiny-gpt2", ...base(tempDir())], deps)).toBe(1);
    expect(deps.stderr).toEqual([]);
    expect(deps.stdout).toHaveLength(1);
    const report = JSON.parse(deps.stdout[0]) as Report;
    expect(report.summary).toEqual({ total: 8, corroborated: 7, falsified: 1, blocked: 0, score: 7 / 8 });
    expect(validateReport(report)).toBe(true);
  });

  it("writes every report file, valid, with no temporary files left, and appends history", async () => {
    const dir = join(tempDir(), "nested", "reports");
    const deps = captureDeps({ ...q4Wrong, ...gpuBlocked });
    expect(await gatesCommand(["--suite", "token", ...base(dir)], deps)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(["badge.json", "badge.svg", "history.jsonl", "junit.xml", "latest.json", "latest.md", "report.html"]);
    const report = JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as Report;
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(report.summary).toEqual({ total: 24, corroborated: 15, falsified: 1, blocked: 8, score: 15 / 24 });
    expect(report.suites.token).toEqual(report.summary);
    expect(report.run.node).toBe(process.version);
    expect(report.run.gitSha).toBe(gitSha()); // the checkout's HEAD (null outside git)
    expect(report.run.args).toEqual(["--suite", "token", "--oracle", FIXTURE_ORACLE]);
    const blocked = report.checks.find((c) => c.verdict === "blocked")!;
    expect(blocked).toMatchObject({ blockedBy: "unavailable", observed: null, evidence: null });
    expect(blocked.reason).toContain("no CUDA device");

    expect(JSON.parse(readFileSync(join(dir, "badge.json"), "utf8"))).toEqual({ schemaVersion: 1, label: "refute", message: "15/24 corroborated", color: "red" });
    const svg = readFileSync(join(dir, "badge.svg"), "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>/);
    expect(svg).toContain(">15/24 corroborated</text>");
    expect(svg).toContain('fill="#e05d44"');

    const junit = readFileSync(join(dir, "junit.xml"), "utf8");
    expect(junit).toContain('<testsuites name="refute" tests="24" failures="1" errors="8" skipped="0"');
    expect(junit).toContain('<failure message="mismatched tokens = 7 &gt; 5" type="falsified">');
    expect(junit.match(/<testcase /g)).toHaveLength(24);
    expect(junit.match(/<error message="blocked \(unavailable\): tiny-qwen2[^"]*" type="blocked-unavailable"\/>/g)).toHaveLength(8);

    const md = readFileSync(join(dir, "latest.md"), "utf8");
    expect(md).toContain("# refute: 15/24 corroborated (score 62.5%)");
    expect(md).toContain("| token | 24 | 15 | 1 | 8 | 62.5% |");
    expect(md).toContain("- `token-int4-mismatch` tiny-gpt2 native q4_0 cpu embedded · code: **mismatched tokens = 7 > 5**");

    expect(await gatesCommand(["--suite", "canary", ...base(dir)], captureDeps())).toBe(0);
    const history = readFileSync(join(dir, "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(history.map((h) => [h.total, h.corroborated, h.falsified, h.blocked])).toEqual([
      [24, 15, 1, 8],
      [12, 12, 0, 0],
    ]);
    expect(history[1]).toMatchObject({ gitSha: report.run.gitSha, machine: report.run.machine.hostname, score: 1 });
    expect(JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")).summary.total).toBe(12); // replaced, not appended
  });

  it("colors the badge by score and never green when something is falsified", async () => {
    const { badgeFor } = await import("../../gates/badge.ts");
    const s = (corroborated: number, falsified: number, blocked: number) => ({ total: corroborated + falsified + blocked, corroborated, falsified, blocked, score: corroborated / (corroborated + falsified + blocked) });
    expect(badgeFor(s(63, 0, 0)).color).toBe("brightgreen");
    expect(badgeFor(s(61, 0, 2)).color).toBe("green");
    expect(badgeFor(s(62, 1, 0))).toEqual({ schemaVersion: 1, label: "refute", message: "62/63 corroborated", color: "orange" });
    expect(badgeFor(s(30, 0, 33)).color).toBe("yellow");
    expect(badgeFor(s(30, 33, 0)).color).toBe("red");
    expect(badgeFor({ total: 0, corroborated: 0, falsified: 0, blocked: 0, score: null })).toMatchObject({ message: "no checks", color: "lightgrey" });
  });

  it("--shard k/n runs disjoint parts whose union is the whole run", async () => {
    const ids: string[][] = [];
    for (const k of [1, 2, 3]) {
      const deps = captureDeps();
      expect(await gatesCommand(["--json", "--shard", `${k}/3`, ...coreSuiteArgs(), ...base(tempDir())], deps)).toBe(0);
      const report = JSON.parse(deps.stdout[0]) as Report;
      expect(report.run.shard).toBe(`${k}/3`);
      ids.push(report.checks.map((c) => c.id));
    }
    expect(ids.flat().length).toBe(63);
    expect(new Set(ids.flat()).size).toBe(63);
  });

  it("list prints the checks a run would run; --json gives ids and fingerprints", async () => {
    const deps = captureDeps();
    expect(await gatesCommand(["list", ...coreSuiteArgs()], deps)).toBe(0);
    const lines = deps.stdout.join("\n").split("\n");
    expect(lines.at(-1)).toBe("63 checks");
    expect(lines.filter((l) => l.startsWith("roundtrip "))).toHaveLength(6);
    const json = captureDeps();
    expect(await gatesCommand(["list", "--json", "--model", "tiny-gpt2", "--suite", "ppl"], json)).toBe(0);
    const checks = JSON.parse(json.stdout[0]);
    expect(checks.map((c: { id: string }) => c.id)).toEqual([
      "ppl-int8-ceiling/tiny-gpt2/native/q8_0/cpu/embedded",
      "ppl-int4-ceiling/tiny-gpt2/native/q4_0/cpu/embedded",
      "ppl-int4-int8-difference/tiny-gpt2/native/q4_0/cpu/embedded",
    ]);
    expect(json.fake.made).toEqual([]); // listing starts no runtime
  });

  it("leaves no temporary files when a report cannot be written", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "latest.json"), "old");
    // A directory where badge.svg should go makes that rename fail after the others succeeded.
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "badge.svg"));
    mkdirSync(join(dir, "badge.svg", "x"));
    await expect(gatesCommand(["--suite", "canary", "--model", "tiny-llama", ...base(dir)], captureDeps())).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(dir, "latest.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")).summary.total).toBe(4); // replaced whole
  });
});
