// Tickets: one per falsified claim and subject group, with prediction, observation,
// evidence, reproduction and environment, and a fingerprint that stays the same while the
// same check keeps failing.

import { join } from "node:path";
import { Tokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { ticketCommand } from "../../cli/ticket.ts";
import { gitSha } from "../../gates/report.ts";
import { buildTickets, groupStates, parseFingerprint, tokenDiff } from "../../gates/ticket.ts";
import { writeReports } from "../../gates/write.ts";
import { oracleTokens } from "./fixtures/make-oracle.ts";
import { gatesCommand } from "../../cli/gates.ts";
import type { Report } from "../../gates/report.ts";
import { runtimeSettings } from "../../gates/settings.ts";
import { captureDeps, runFake, tempDir } from "./helpers.ts";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const llamaQ4 = (positions: number[]) => ({
  // Native and roundtrip alike, so only the token claim is falsified.
  flips: (s: { model: string; quant: string }, p: string) => (s.model === "tiny-llama" && s.quant === "q4_0" && (p === "code" || p === "greeting") ? positions : []),
});

describe("tickets", () => {
  it("one per claim and subject group, grouping the prompts that failed", async () => {
    const { report } = await runFake(llamaQ4(range(8, 16)));
    const tickets = buildTickets(report);
    expect(tickets.map((t) => t.title)).toEqual([
      `token-int4-mismatch falsified on tiny-llama native q4_0 cpu embedded (refute ${tickets[0].fingerprint})`,
    ]);
    const [t] = tickets;
    expect(t.checks).toEqual([
      "token-int4-mismatch/tiny-llama/native/q4_0/cpu/embedded/code",
      "token-int4-mismatch/tiny-llama/native/q4_0/cpu/embedded/greeting",
    ]);
    expect(t.labels).toEqual(["refute", "suite:token", "severity:high"]);
    expect(parseFingerprint(t.body)).toBe(t.fingerprint);
    expect(t.body.startsWith(`<!-- refute:fingerprint=${t.fingerprint} -->`)).toBe(true);
    // prediction, observation, evidence, reproduction, environment
    expect(t.body).toContain("> Greedy q4_0 output of the native format differs from the fp32 oracle in at most 5 of");
    expect(t.body).toContain("Expected: `mismatched tokens <= 5` (measure `token-mismatch`, test/gates/fixtures/core-claims/token.yaml).");
    expect(t.body).toContain("| code | **falsified** | mismatched tokens = 8 > 5 |");
    expect(t.body).toContain("| arithmetic | corroborated | mismatched tokens = 0 <= 5 |");
    expect(t.body).toContain("**code**: 8 of 32 tokens differ; first divergence at step 8.");
    const oracle = oracleTokens("tiny-llama", "code");
    // the oracle's top-k at step 8, each token with its text as Hugging Face's tokenizers decodes it
    const hf = await Tokenizer.fromFile("models/zoo/tiny-llama/tokenizer.json");
    const piece = async (id: number) => (await hf.decode([id], false)).replace(/\n/g, "\\n");
    expect(t.body).toContain(`| 1 | ${oracle[8]} \`${await piece(oracle[8])}\` | -0.500 | oracle |`);
    expect(t.body).toContain(`the observed token ${oracle[8] + 1} \`${await piece(oracle[8] + 1)}\` is outside the oracle's top-10`);
    expect(t.body).toContain(`| **8** | ${oracle[8]} \`${await piece(oracle[8])}\` | ${oracle[8] + 1} \`${await piece(oracle[8] + 1)}\` |`);
    expect(t.body).toContain("(margin between its first two: 1.750)");
    expect(t.body).toContain("```sh\npnpm gates --claims test/gates/fixtures/core-claims --claim token-int4-mismatch --model tiny-llama --quant q4_0 --backend cpu --runtime embedded --oracle ");
    expect(t.body).toContain('Prompt text: "def fibonacci(n):"');
    expect(t.body).toContain(`- commit: ${gitSha() ?? "unknown"}\n`);
    expect(t.body).toContain(`- node: ${process.version}`);
  });

  it("the reproduce command sets the run's runtime settings, with secrets redacted", async () => {
    const settings = runtimeSettings({ REFUTE_HTTP_URL: "http://127.0.0.1:8080", REFUTE_HTTP_SERVES: "tiny-llama:native:q4_0", REFUTE_HTTP_TOKEN: "s3cret", PATH: "/bin" });
    expect(settings).toEqual({ REFUTE_HTTP_SERVES: "tiny-llama:native:q4_0", REFUTE_HTTP_TOKEN: "<redacted>", REFUTE_HTTP_URL: "http://127.0.0.1:8080" });
    const [t] = buildTickets((await runFake(llamaQ4(range(8, 16)), { settings })).report);
    expect(t.body).toContain("```sh\nREFUTE_HTTP_SERVES=tiny-llama:native:q4_0 REFUTE_HTTP_TOKEN='<redacted>' REFUTE_HTTP_URL=http://127.0.0.1:8080 pnpm gates --claims ");
    expect(t.body).not.toContain("s3cret");
  });

  it("the reproduce command runs exactly the ticket's subject group and falsifies it again", async () => {
    const script = llamaQ4(range(8, 16));
    const [t] = buildTickets((await runFake(script)).report);
    const command = /```sh\n(?:REFUTE_\S+ )*pnpm gates (.*)\n```/.exec(t.body)![1].split(" ");
    const deps = captureDeps(script);
    expect(await gatesCommand([...command, "--json", "--reports", tempDir()], deps)).toBe(1);
    const again = JSON.parse(deps.stdout[0]) as Report;
    expect(again.checks.map((c) => c.id)).toEqual(["arithmetic", "completion", "code", "greeting"].map((p) => `token-int4-mismatch/tiny-llama/native/q4_0/cpu/embedded/${p}`));
    expect(buildTickets(again).map((x) => [x.fingerprint, x.checks])).toEqual([[t.fingerprint, t.checks]]);
  });

  it("marks the first divergence in the token diff", () => {
    const diff = tokenDiff(
      {
        prompt: "p",
        reference: "oracle",
        step: 2,
        expectedToken: 30,
        observedToken: 31,
        mismatches: 2,
        length: 4,
        expectedTokens: [10, 20, 30, 40],
        observedTokens: [10, 20, 31, 41],
        expectedText: "",
        observedText: "",
        referenceTopK: [],
        margin: null,
        observedLogprob: null,
      },
    );
    const [oracle, observed, caret] = diff.split("\n");
    expect(oracle).toBe("oracle:    10  20 [30] 40 ");
    expect(observed).toBe("observed:  10  20 [31] 41 ");
    expect(caret.indexOf("^")).toBe(oracle.indexOf("[30]") + 2);
    expect(caret.trim()).toBe("^ step 2");
  });

  it("keep their fingerprint while the same check keeps failing, whatever is observed; evidence digest changes", async () => {
    const first = buildTickets((await runFake(llamaQ4(range(8, 16)))).report);
    const second = buildTickets((await runFake(llamaQ4(range(0, 32)))).report);
    expect(second.map((t) => t.fingerprint)).toEqual(first.map((t) => t.fingerprint));
    expect(second[0].evidenceDigest).not.toBe(first[0].evidenceDigest);
    expect(second[0].body).not.toBe(first[0].body);
    // The same failure on another model or claim is another ticket.
    const other = buildTickets(
      (await runFake({ flips: (s, p) => (s.model === "tiny-qwen2" && s.quant === "q4_0" && p === "code" ? range(8, 16) : []) })).report,
    );
    expect(other[0].fingerprint).not.toBe(first[0].fingerprint);
  });

  it("report group states so a filer can close tickets whose checks corroborate again", async () => {
    const { report } = await runFake(llamaQ4(range(8, 16)));
    const states = groupStates(report);
    expect(states).toHaveLength(27);
    expect(states.filter((s) => s.state === "falsified").map((s) => s.claim)).toEqual(["token-int4-mismatch"]);
    const clean = groupStates((await runFake()).report);
    const fp = buildTickets(report)[0].fingerprint;
    expect(clean.find((s) => s.fingerprint === fp)!.state).toBe("corroborated");
  });

  it("refute ticket prints markdown from reports/latest.json, JSON with --json, and exit 2 without a report", async () => {
    const dir = tempDir();
    const { report } = await runFake(llamaQ4(range(8, 16)));
    await writeReports(report, dir);
    const out: string[] = [];
    const err: string[] = [];
    expect(await ticketCommand(["--reports", dir], { out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(0);
    expect(out[0]).toMatch(/^# token-int4-mismatch falsified on tiny-llama native q4_0 cpu embedded \(refute [0-9a-f]{16}\)\n\nLabels: refute, suite:token, severity:high\n\n<!-- refute:fingerprint=/);
    const json: string[] = [];
    expect(await ticketCommand(["--reports", dir, "--json"], { out: (t) => json.push(t), err: () => {} })).toBe(0);
    const parsed = JSON.parse(json[0]);
    expect(parsed.tickets).toHaveLength(1);
    expect(parsed.groups).toHaveLength(27);
    const missing: string[] = [];
    expect(await ticketCommand(["--reports", join(dir, "nope")], { out: () => {}, err: (t) => missing.push(t) })).toBe(2);
    expect(missing[0]).toMatch(/E_REPORT_MISSING/);
  });

  it("says so when nothing is falsified", async () => {
    const dir = tempDir();
    await writeReports((await runFake()).report, dir);
    const out: string[] = [];
    const err: string[] = [];
    expect(await ticketCommand(["--reports", dir], { out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(0);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/^no refutations in .*latest\.json \(63 checks, 0 blocked\)$/);
  });
});
