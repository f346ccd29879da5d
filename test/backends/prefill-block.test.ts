// Batched prefill (Session.prefill and Session.forward in blocks of PREFILL_BLOCK through the
// backend's matmul) computes bit for bit what the token-by-token pass computes: the last
// token's logits, every KV cache entry, the decoding that follows and perplexity's scores, on the zoo's three families at f32, q8_0,
// q4_0 and q4_k, with prompts that cross block boundaries, on every kernel variant this
// runtime has and with 1 and 2 threads. The reference is the same backend's matvec path.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernels } from "../../engine/backends/kernels.ts";
import { withGqaModuloHeads, withNormEpsilonScaled } from "../../engine/backends/faulty.ts";
import { createWasmKernels, type WasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { availableKernelVariants, type KernelVariant } from "../../engine/backends/wasm/module.ts";
import { prepareSource } from "../../engine/convert.ts";
import { perplexity } from "../../engine/generate/perplexity.ts";
import { PREFILL_BLOCK, Session, type LoadedModel } from "../../engine/generate/session.ts";
import { buildWeights } from "../../engine/model/weights.ts";
import { EngineModel } from "../../engine/model.ts";
import { scoreTokens } from "../../runtimes/embedded.ts";

const VARIANTS: KernelVariant[] = availableKernelVariants();
const backends: [string, WasmKernels][] = [];
beforeAll(async () => {
  for (const variant of VARIANTS) {
    backends.push([`${variant} 1 thread`, await createWasmKernels({ threads: 1, variant })]);
    backends.push([`${variant} 2 threads`, await createWasmKernels({ threads: 2, variant, minParallelBytes: 0 })]);
  }
});
afterAll(async () => {
  for (const [, k] of backends.splice(0)) await k.close();
});

const zooModel = (slug: string, quant: string): LoadedModel => {
  const source = prepareSource(slug, "safetensors", quant);
  return { arch: source.arch, weights: buildWeights(source.arch, source.tensors) };
};

/** Indices where two arrays differ bit for bit, with both values. */
function bitDifferences(observed: Float32Array, expected: Float32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < expected.length && out.length < 3; i++) if (!Object.is(observed[i], expected[i])) out.push(`[${i}] ${observed[i]} != ${expected[i]}`);
  return observed.length === expected.length ? out : [`length ${observed.length} != ${expected.length}`, ...out];
}

/** The kernels a batched prefill calls and a token-by-token one does not. */
const BATCHED = ["matmul", "matmuls", "attentionTokens", "rmsNormTokens"] as const;

/** The kernels with the batched kernels' calls counted: the batched path must really be taken, every part of it. */
function counting(k: Kernels): { kernels: Kernels; calls: () => number; callsOf: (name: (typeof BATCHED)[number]) => number } {
  const counts = new Map<string, number>();
  const kernels = new Proxy(k, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (typeof key === "string" && (BATCHED as readonly string[]).includes(key)) {
        return (...args: unknown[]) => {
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { kernels, calls: () => [...counts.values()].reduce((a, b) => a + b, 0), callsOf: (name) => counts.get(name) ?? 0 };
}

const promptOf = (length: number, vocab: number) => Array.from({ length }, (_, i) => (i * 7919 + 3) % vocab);

describe.each([
  ["tiny-llama", "f32"],
  ["tiny-llama", "q8_0"],
  ["tiny-llama", "q4_0"],
  ["tiny-llama", "q4_k"],
  ["tiny-qwen2", "q8_0"],
  ["tiny-gpt2", "f32"],
  ["tiny-gpt2", "q4_0"],
])("%s %s", (slug, quant) => {
  it(`prefill of ${2 * PREFILL_BLOCK + 7} tokens in blocks: logits, KV cache and the next decoding steps bit-identical to token by token`, () => {
    const model = zooModel(slug, quant);
    const { arch } = model;
    const prompt = promptOf(2 * PREFILL_BLOCK + 7, arch.vocabSize);
    for (const [label, k] of backends) {
      const { kernels, callsOf } = counting(k);
      const blocked = new Session(model, kernels, prompt.length + 4);
      const stepped = new Session(model, tokenByToken(k), prompt.length + 4);
      const observed = blocked.prefill(prompt).slice();
      for (const token of prompt.slice(0, -1)) stepped.step(token, false);
      const expected = (stepped.step(prompt[prompt.length - 1]) as Float32Array).slice();
      // every batched kernel but the RMSNorm one where the model normalizes by LayerNorm (GPT-2)
      for (const name of BATCHED.filter((n) => n !== "rmsNormTokens" || arch.norm === "rms")) expect(callsOf(name), `${label}: ${name} calls`).toBeGreaterThan(0);
      expect(bitDifferences(observed, expected), `${label} logits`).toEqual([]);
      for (let l = 0; l < arch.layers; l++) {
        expect(bitDifferences(blocked.cache.keys(l, prompt.length).slice(), stepped.cache.keys(l, prompt.length).slice()), `${label} keys of layer ${l}`).toEqual([]);
        expect(bitDifferences(blocked.cache.values(l, prompt.length).slice(), stepped.cache.values(l, prompt.length).slice()), `${label} values of layer ${l}`).toEqual([]);
      }
      for (const token of [5, 9, 2]) expect(bitDifferences((blocked.step(token) as Float32Array).slice(), (stepped.step(token) as Float32Array).slice()), `${label} decode after prefill`).toEqual([]);
      blocked.dispose();
      stepped.dispose();
    }
  });
});

/** The kernels without the batched ones: the token-by-token path, the reference here. */
const tokenByToken = (k: Kernels): Kernels =>
  new Proxy(k, {
    get(target, key) {
      if ((BATCHED as readonly (string | symbol)[]).includes(key)) return undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

it.each([
  ["tiny-llama", "q8_0"],
  ["tiny-gpt2", "f32"],
])("%s %s: sliding-window perplexity in blocks is bit for bit the token-by-token one (every window, every scored position)", (slug, quant) => {
  const model = zooModel(slug, quant);
  const tokens = promptOf(300, model.arch.vocabSize);
  for (const [label, k] of backends) {
    const { kernels, calls } = counting(k);
    const blocked = perplexity(new Session(model, kernels, 160), tokens, 160, 70);
    const stepped = perplexity(new Session(model, tokenByToken(k), 160), tokens, 160, 70);
    expect(calls(), label).toBeGreaterThan(0);
    expect(blocked.tokensScored).toBe(tokens.length - 1);
    expect(Object.is(blocked.nllSum, stepped.nllSum), `${label}: ${blocked.nllSum} vs ${stepped.nllSum}`).toBe(true);
  }
});

it("forced decoding (scoreTokens) in blocks: every step's log-probabilities bit for bit the token-by-token ones", () => {
  const source = prepareSource("tiny-qwen2", "safetensors", "q4_0");
  const prompt = promptOf(5, source.arch.vocabSize);
  const forced = promptOf(2 * PREFILL_BLOCK + 9, source.arch.vocabSize).reverse();
  for (const [label, k] of backends) {
    const blocked = scoreTokens(new EngineModel(source, k), prompt, forced, { topK: 3 });
    const stepped = scoreTokens(new EngineModel(source, tokenByToken(k)), prompt, forced, { topK: 3 });
    expect(blocked, label).toHaveLength(forced.length);
    expect(blocked, label).toEqual(stepped);
  }
});

it("a prompt past the context is refused before anything runs (CONTEXT_FULL), as token by token", () => {
  const model = zooModel("tiny-llama", "f32");
  const [, k] = backends[0];
  const session = new Session(model, k, 10);
  expect(() => session.prefill(promptOf(11, model.arch.vocabSize))).toThrow(expect.objectContaining({ code: "CONTEXT_FULL" }));
  expect(session.length).toBe(0);
});

it.each([
  ["a wrapped norm", "tiny-llama", withNormEpsilonScaled(1000)],
  // a batched attention that ignored the wrapper would attend every layer but the last (which runs the last token alone) without the change
  ["a wrapped attention", "tiny-qwen2", withGqaModuloHeads],
] as const)("a kernel wrapper keeps its change in a batched prefill: %s changes the logits the same way in both paths", (_what, slug, wrap) => {
  const model = zooModel(slug, "f32");
  const [, k] = backends[0];
  const faulty = wrap(k);
  const prompt = promptOf(PREFILL_BLOCK + 3, model.arch.vocabSize);
  const clean = new Session(model, k, prompt.length).prefill(prompt).slice();
  const blocked = new Session(model, faulty, prompt.length).prefill(prompt).slice();
  const stepped = new Session(model, faulty, prompt.length);
  for (const token of prompt.slice(0, -1)) stepped.step(token, false);
  expect(bitDifferences(blocked, clean).length).toBeGreaterThan(0);
  expect(bitDifferences(blocked, (stepped.step(prompt[prompt.length - 1]) as Float32Array).slice())).toEqual([]);
});
