// Dynamic (NTK-aware) RoPE on tiny-llama-rope-dynamic (tiny-llama's weights, factor 4 over its
// 512 positions) against the reference (scripts/zoo/reference.py, outside the engine): forced
// decoding of the long prompt's oracle continuation, every step's whole distribution. The
// prompt (1,214 tokens) runs as one forward call and each later token as its own, as
// transformers' generate() runs them; the same weights under plain RoPE, or with the whole
// sequence turned by one call's frequencies, are far from the reference, so the comparison can fail.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuKernels } from "../backends/cpu/kernels.ts";
import type { EngineHooks } from "../hooks.ts";
import { REPO_ROOT } from "../load.ts";
import { EngineModel } from "../model.ts";
import { openSource } from "../open.ts";
import type { Session } from "../generate/session.ts";

const SLUG = "tiny-llama-rope-dynamic";
const oracle = JSON.parse(readFileSync(join(REPO_ROOT, "oracle", SLUG, "long.json"), "utf8")) as { prompt_tokens: number[]; tokens: number[] };
const raw = readFileSync(join(REPO_ROOT, "oracle", SLUG, "long.logprobs.f32"));
const rows = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)); // [steps, vocab]

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - lse);
}

/** The mean over steps of KL(oracle || engine), in nats, of the logits before each oracle token. */
function meanKl(steps: Float32Array[]): number {
  const vocab = steps[0].length;
  let total = 0;
  steps.forEach((logits, s) => {
    const mine = logSoftmax(logits);
    for (let v = 0; v < vocab; v++) {
      const ref = rows[s * vocab + v];
      total += Math.exp(ref) * (ref - mine[v]);
    }
  });
  return total / steps.length;
}

const model = (hooks?: EngineHooks) => new EngineModel(openSource(SLUG), cpuKernels, hooks);
const sequence = [...oracle.prompt_tokens, ...oracle.tokens];

/** The prompt as one call, then one call per forced token: the logits before each oracle token. */
function generateSchedule(session: Session): Float32Array[] {
  const steps = [Float32Array.from(session.prefill(oracle.prompt_tokens))];
  for (const token of oracle.tokens.slice(0, -1)) steps.push(Float32Array.from(session.step(token) as Float32Array));
  return steps;
}

describe("dynamic RoPE against the reference", () => {
  it("reads factor 4 over 512 positions and offers 2,048", () => {
    const m = model();
    expect(m.arch.ropeScaling).toEqual({ type: "dynamic", factor: 4, originalMaxPositions: 512 });
    expect(m.arch.maxPositions).toBe(2048);
    expect(oracle.prompt_tokens.length).toBeGreaterThan(1024);
  });

  it("forced decoding of the long prompt keeps the mean KL from the reference's distributions under 1e-5 nats", () => {
    // 1e-5: the float32 bound of the long suite (summation order and float32 angles only; measured about 4e-7)
    const kl = meanKl(generateSchedule(model().session(sequence.length)));
    expect(kl).toBeLessThan(1e-5);
  });

  it("is far from it with plain RoPE, and with the whole sequence as one call", () => {
    const plain = model({ ropeScalingIgnored: true });
    // measured: 0.22 nats with plain RoPE, 0.033 as one call, against about 4e-7 for the engine
    expect(meanKl(generateSchedule(plain.session(sequence.length)))).toBeGreaterThan(0.05);
    // one call over prompt and continuation: every position turned by the frequencies of length 1,246
    const session = model().session(sequence.length);
    session.beginCall(sequence.length - 1);
    const steps: Float32Array[] = [];
    sequence.slice(0, -1).forEach((token, i) => {
      const logits = session.step(token, i >= oracle.prompt_tokens.length - 1);
      if (logits) steps.push(Float32Array.from(logits));
    });
    expect(meanKl(steps)).toBeGreaterThan(1e-3);
  });
});
