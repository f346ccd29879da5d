// The cross-runtime and timing measures end to end through the gate runner, on tiny
// exported models and a small oracle made here from the engine's own F32 output (so the
// predictions are known): llama.cpp agrees with the engine, forced decoding reproduces the
// oracle, a changed oracle token is caught with its evidence, and the timing measures run.
// The statistics themselves are checked on hand-made numbers.

import { nameOfPath } from "../../core/model-ref.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runChecks } from "../../gates/run.ts";
import { parseClaimFile, SCHEMA_HEADER } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { binnedKl, meanKl, rmsDp, sameTop1, type ForcedStep } from "../../measures/forced.ts";
import { tempDir } from "../gates/helpers.ts";
import { tinyGguf } from "./tiny-model.ts";

const PROMPTS = { story: "Once upon a time, there was", code: "def add(a, b):" };

/** An oracle directory holding the engine's F32 greedy output of `model`, with one token changed if asked. */
async function makeOracle(model: string, flip?: { prompt: string; step: number }): Promise<string> {
  const dir = tempDir("refute-xr-oracle-");
  mkdirSync(join(dir, "prompts"), { recursive: true });
  const engine = new EmbeddedRuntime();
  for (const [name, text] of Object.entries(PROMPTS)) {
    writeFileSync(join(dir, "prompts", `${name}.txt`), text);
    const g = await engine.generate({ model, format: "gguf", quant: "f32", backend: "cpu", runtime: "embedded" }, text, 8);
    const tokens = [...g.tokens];
    if (flip?.prompt === name) tokens[flip.step] = g.topk[flip.step][1].token; // the runner-up at that step
    mkdirSync(join(dir, nameOfPath(model)), { recursive: true });
    const file = {
      ...{ model: "test/engine-f32", model_slug: "engine-f32", prompt: text, prompt_file: `oracle/prompts/${name}.txt`, runtime: "fixture", format: "float32", device: "cpu" },
      ...{ transformers_version: null, torch_version: "none: the embedded engine", max_new_tokens: 8, do_sample: false, prompt_tokens: g.promptTokens, tokens, token_count: tokens.length },
      ...{ text: g.text, weights_sha256: { "model.safetensors": "0".repeat(64) }, topk: g.topk },
    };
    writeFileSync(join(dir, nameOfPath(model), `${name}.json`), JSON.stringify(file));
  }
  return dir;
}

function claimsFor(suite: string, body: string) {
  const { claims, problems } = parseClaimFile(`${suite}.yaml`, `${SCHEMA_HEADER}\nclaims:\n${body}`);
  expect(problems).toEqual([]);
  return expandClaims(claims);
}

const claim = (id: string, measure: string, subject: string, prediction: string, extra = "") => `
  - id: ${id}
    suite: xr
    statement: a claim made for this test only
    rationale: the prediction is known because the oracle is the engine itself
    measure: ${measure}
    subject: ${subject}
${extra}    prediction: ${prediction}
    severity: high
    references: []
    catches: []
`;

describe("cross-runtime measures through the runner", () => {
  it("corroborates llama.cpp = engine, forced top-1 and tiny KL against an oracle that is the F32 engine", async () => {
    const f32 = tinyGguf("llama", "f32");
    const q8 = tinyGguf("llama", "q8_0");
    const oracle = await makeOracle(f32);
    const subjects = (model: string, quant: string, runtime: string) => `{ model: "${model}", format: gguf, quant: ${quant}, runtime: ${runtime} }`;
    const checks = claimsFor(
      "xr",
      claim("agree", "runtime-agreement", `{ model: "${f32}", format: gguf, quant: f32, runtime: llamacpp }`, "{ comparator: eq, threshold: 0 }", "    against: { runtime: embedded }\n    prompts: { each: [story, code] }\n") +
        claim("agree-q8", "runtime-agreement", `{ model: "${q8}", format: gguf, quant: q8_0, runtime: llamacpp }`, "{ comparator: eq, threshold: 0 }", "    against: { runtime: embedded }\n    prompts: { each: [story, code] }\n") +
        claim("tok", "tokenize-agreement", subjects(f32, "f32", "llamacpp"), "{ comparator: eq, threshold: 0 }", "    against: { runtime: embedded }\n    prompts: { each: [story] }\n") +
        claim("top1", "forced-top1", subjects(f32, "f32", "[embedded, llamacpp]"), "{ comparator: eq, threshold: 0 }", "    prompts: { each: [story, code] }\n") +
        claim("kl", "kl-divergence", subjects(f32, "f32", "[embedded, llamacpp]"), "{ comparator: lt, threshold: 0.00001 }", "    prompts: { all: [story, code] }\n") +
        claim("same", "same-top1", subjects(f32, "f32", "llamacpp"), "{ comparator: ge, threshold: 100 }", "    prompts: { all: [story, code] }\n") +
        claim("rms", "rms-dp", subjects(f32, "f32", "llamacpp"), "{ comparator: lt, threshold: 0.01 }", "    prompts: { all: [story, code] }\n"),
    );
    const { results } = await runChecks(checks, { factory: defaultRuntimeFactory({ env: {} }), oracleDir: oracle });
    expect(results.map((r) => [r.id.split("/")[0], r.verdict, r.reason ?? ""])).toEqual(results.map((r) => [r.id.split("/")[0], "corroborated", ""]));
    expect(results).toHaveLength(2 + 2 + 1 + 4 + 2 + 1 + 1);
    const kl = results.find((r) => r.claim === "kl" && r.subject.runtime === "llamacpp")!;
    expect(kl.observed!.value as number).toBeLessThan(1e-9);
    expect(kl.observed!.summary).toMatch(/mean KL divergence .* ± .* over 16 forced steps of 2 prompts/);
  }, 30_000);

  it("falsifies forced top-1 where the oracle's token is not the subject's, with both top-k as evidence", async () => {
    const f32 = tinyGguf("llama", "f32");
    const oracle = await makeOracle(f32, { prompt: "code", step: 7 }); // the last step: later steps would see a changed context
    const checks = claimsFor("xr", claim("top1", "forced-top1", `{ model: "${f32}", format: gguf, quant: f32, runtime: llamacpp }`, "{ comparator: eq, threshold: 0 }", "    prompts: { each: [story, code] }\n"));
    const { results } = await runChecks(checks, { factory: defaultRuntimeFactory({ env: {} }), oracleDir: oracle });
    expect(results.map((r) => r.verdict)).toEqual(["corroborated", "falsified"]);
    const bad = results[1];
    expect(bad.line).toBe("forced steps whose top-1 differs = 1 != 0");
    expect(bad.evidence!.notes![0]).toMatch(/^code step 7: oracle \d+, subject \d+, oracle margin -?\d+\.\d+; oracle top \[.*\], subject top \[.*\]$/);
  }, 30_000);

  it("times decode scaling, variation and the throughput ratio of the engine against llama.cpp", async () => {
    const f32 = tinyGguf("qwen2", "f32");
    const subject = `{ model: "${f32}", format: gguf, quant: f32, runtime: embedded }`;
    const checks = claimsFor(
      "xr",
      claim("scale", "decode-scaling", subject, "{ comparator: lt, threshold: 15 }") +
        claim("cv", "timing-cv", subject, "{ comparator: lt, threshold: 1000 }") +
        claim("ratio", "throughput-ratio", subject, "{ comparator: gt, threshold: 0 }", "    against: { runtime: llamacpp }\n"),
    );
    // One thread on both sides: throughput-ratio compares equal thread counts only.
    const { results } = await runChecks(checks, { factory: defaultRuntimeFactory({ env: {}, threads: 1 }), oracleDir: tempDir() });
    // On a model this small, fixed costs and timer noise decide the scaling verdict: only that it ran is checked.
    expect(results[0].observed!.value as number).toBeGreaterThan(1);
    expect(results.slice(1).map((r) => [r.claim, r.verdict])).toEqual([
      ["cv", "corroborated"],
      ["ratio", "corroborated"],
    ]);
    expect(results[2].observed!.summary).toMatch(/^tg32: embedded .* t\/s \(1 thread\) vs llamacpp .* t\/s \(1 thread\): ratio /);
    // 5 rounds, shared with the cv claim (the samples follow "ms: "; a backend's description has commas of its own)
    expect(results[2].evidence!.notes![1].split(" ms: ")[1].split(", ")).toHaveLength(5);
  }, 30_000);
});

describe("forced-decoding statistics", () => {
  const step = (kl: number, dp: number, same: boolean): ForcedStep => ({
    prompt: "p",
    step: 0,
    oracleToken: 1,
    subjectTop: same ? 1 : 2,
    kl,
    dp,
    oracleMargin: null,
    subjectTopK: [],
    oracleTopK: [],
  });

  it("binned KL is 0 for equal distributions and matches the closed form otherwise", () => {
    const oracle = [
      { token: 1, logprob: Math.log(0.5) },
      { token: 2, logprob: Math.log(0.3) },
    ];
    expect(binnedKl(oracle, [Math.log(0.5), Math.log(0.3)])).toBeCloseTo(0, 15);
    const q = [0.4, 0.4, 0.2];
    const expected = 0.5 * Math.log(0.5 / q[0]) + 0.3 * Math.log(0.3 / q[1]) + 0.2 * Math.log(0.2 / q[2]);
    expect(binnedKl(oracle, [Math.log(q[0]), Math.log(q[1])])).toBeCloseTo(expected, 12);
  });

  it("mean KL, same top-1 and RMS dp carry llama.cpp's uncertainties", () => {
    const steps = [step(0.1, 0.1, true), step(0.3, -0.1, true), step(0.2, 0.2, false), step(0.2, 0, true)];
    const kl = meanKl(steps);
    expect(kl.value).toBeCloseTo(0.2, 12);
    expect(kl.uncertainty).toBeCloseTo(Math.sqrt((0.045 - 0.04) / 3), 12);
    expect(sameTop1(steps)).toMatchObject({ value: 75, n: 4 });
    expect(sameTop1(steps).uncertainty).toBeCloseTo(100 * Math.sqrt((0.75 * 0.25) / 3), 12);
    expect(rmsDp(steps).value).toBeCloseTo(100 * Math.sqrt(0.015), 12);
  });
});
