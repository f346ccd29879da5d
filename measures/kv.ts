// kv: measures of a subject's quantized KV cache against its own float32 cache, on the same
// model, tokens and kernels, so the difference is the cache's alone (capability `kv-cache`).
// Every one takes the cache as params: bits (8 or 4), group_size (32, 64 or 128 values along
// head_dim; it must divide head_dim) and sparsity (default 0).
//   kv-perplexity       |perplexity with the quantized cache - with float32| on the oracle's
//                       held-out text with its window and stride (unit: absolute), or that
//                       difference in percent of the float32 cache's perplexity (unit: percent)
//   kv-greedy-mismatch  greedy tokens with the quantized cache that differ from float32's
//   kv-oracle-mismatch  greedy tokens with the quantized cache that differ from the oracle's
//                       (a fault that both caches share, a position wrap, shows only here)
//   kv-cache-fidelity   SNR (dB) or cosine of the cache the model builds over the held-out
//                       text's first window (or its first `tokens` tokens), compressed as
//                       `refute kv compress` does

import type { JSONSchemaType } from "ajv";
import type { KvCacheSettings } from "../runtimes/runtime.ts";
import { defineMeasure, type MeasureInput, paramsSchema } from "./measure.ts";
import { perplexityRow } from "./perplexity-evidence.ts";
import { onText, type PplTextParams } from "./ppl-text.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

interface CacheParams {
  bits: 8 | 4;
  group_size: 32 | 64 | 128;
  sparsity: number;
}

const CACHE_PROPERTIES = {
  bits: { type: "integer", enum: [8, 4], description: "bits per cached value" },
  group_size: { type: "integer", enum: [32, 64, 128], description: "values per f16 scale, along head_dim (must divide it)" },
  sparsity: { type: "number", minimum: 0, exclusiveMaximum: 1, default: 0, description: "share of smallest-magnitude values per group set to zero" },
} as const;

const cacheOf = (p: CacheParams): KvCacheSettings => ({ bits: p.bits, groupSize: p.group_size, sparsity: p.sparsity });
const label = (p: CacheParams | null) => (p ? `int${p.bits} g${p.group_size}${p.sparsity > 0 ? ` sparsity ${p.sparsity}` : ""} cache` : "float32 cache");
const sign = (x: number) => (x >= 0 ? "+" : "");

interface PerplexityParams extends CacheParams, PplTextParams {
  unit: "absolute" | "percent";
}

const PERPLEXITY_PARAMS = paramsSchema<PerplexityParams>({
  type: "object",
  additionalProperties: false,
  properties: {
    ...CACHE_PROPERTIES,
    unit: { type: "string", enum: ["absolute", "percent"], default: "absolute", description: "the difference as it is, or in percent of the float32 cache's" },
    text: { type: "string", enum: ["heldout", "shuffled"], nullable: true, default: "heldout", description: "the oracle's perplexity text: heldout (the zoo's chains, perplexity about 1.03) or shuffled (random slots, perplexity 16 to 23: more power)" },
  },
  required: ["bits", "group_size", "sparsity", "unit"],
} as JSONSchemaType<PerplexityParams>);

export const kvPerplexity = defineMeasure<PerplexityParams>({
  name: "kv-perplexity",
  description: "|perplexity with the quantized KV cache - with the float32 cache| on an oracle perplexity text (held-out by default), absolute or in percent",
  input: "text",
  needsAgainst: false,
  value: "number",
  oracle: () => "perplexity",
  needs: ["perplexity", "kv-cache"],
  params: PERPLEXITY_PARAMS,
  quantity: (p) => (p.unit === "absolute" ? `|perplexity delta| of the ${label(p)}${onText(p)}` : `|perplexity change| (%) of the ${label(p)}${onText(p)}`),
  async observe({ subject, perplexity, oraclePerplexity }, params) {
    const oracle = await oraclePerplexity(subject.model, params.text);
    const base = await perplexity(subject, oracle.text, oracle.window, oracle.stride);
    const quantized = await perplexity(subject, oracle.text, oracle.window, oracle.stride, { kvCache: cacheOf(params) });
    const delta = quantized.perplexity - base.perplexity;
    const percent = (100 * delta) / base.perplexity;
    return {
      value: Math.abs(params.unit === "absolute" ? delta : percent),
      summary:
        `${label(params)} ${quantized.perplexity.toFixed(4)} vs float32 cache ${base.perplexity.toFixed(4)}: ` +
        `delta ${sign(delta)}${delta.toFixed(6)} (${sign(percent)}${percent.toFixed(4)}%) over ${base.tokensScored} tokens`,
      evidence: { perplexity: [perplexityRow(base, oracle, label(null)), perplexityRow(quantized, oracle, label(params))] },
    };
  },
});

const GREEDY_PARAMS = paramsSchema<CacheParams>({
  type: "object",
  additionalProperties: false,
  properties: CACHE_PROPERTIES,
  required: ["bits", "group_size", "sparsity"],
} as JSONSchemaType<CacheParams>);

export const kvGreedyMismatch = defineMeasure<CacheParams>({
  name: "kv-greedy-mismatch",
  description: "greedy tokens for one prompt with the quantized KV cache that differ from those with the float32 cache",
  input: "prompt",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["generate", "kv-cache"],
  params: GREEDY_PARAMS,
  quantity: (p) => `greedy tokens of the ${label(p)} that differ from the float32 cache's`,
  async observe({ subject, prompts, generate }, params) {
    const [prompt] = prompts;
    const base = await generate(subject, prompt);
    const divergence = compareTokens(prompt.name, base, await generate(subject, prompt, { kvCache: cacheOf(params) }), label(null));
    if (!divergence) return { value: 0, summary: `0 of ${base.tokens.length} tokens differ from the float32 cache's`, evidence: { identical: [prompt.name] } };
    return {
      value: divergence.mismatches,
      summary: `${divergence.mismatches} of ${divergence.length} tokens differ from the float32 cache's, ${describeDivergence(divergence)}`,
      evidence: { divergences: [{ ...divergence, label: label(params) }] },
    };
  },
});

interface FidelityParams extends CacheParams {
  metric: "snr-db" | "cosine";
  tokens?: number;
}

const FIDELITY_PARAMS = paramsSchema<FidelityParams>({
  type: "object",
  additionalProperties: false,
  properties: {
    ...CACHE_PROPERTIES,
    metric: { type: "string", enum: ["snr-db", "cosine"], description: "signal-to-noise ratio in dB, or cosine similarity" },
    tokens: {
      type: "integer",
      minimum: 1,
      maximum: 65536,
      nullable: true,
      description: "cache this many tokens of the oracle's held-out text (default: the model's oracle window; needed for a model without a perplexity oracle)",
    },
  },
  required: ["bits", "group_size", "sparsity", "metric"],
} as JSONSchemaType<FidelityParams>);

/** The held-out text and how many of its tokens to cache: `tokens` of it, or the model's oracle window. */
async function cachedText(input: Pick<MeasureInput, "subject" | "oraclePerplexity" | "heldoutText">, tokens: number | undefined): Promise<{ text: string; tokens: number }> {
  if (tokens !== undefined) return { text: await input.heldoutText(), tokens };
  const oracle = await input.oraclePerplexity(input.subject.model);
  return { text: oracle.text, tokens: oracle.window };
}

export const kvCacheFidelity = defineMeasure<FidelityParams>({
  name: "kv-cache-fidelity",
  description: "SNR (dB) or cosine similarity of the subject's KV cache over the held-out text, compressed, against the float32 cache",
  input: "text",
  needsAgainst: false,
  value: "number",
  oracle: (p) => (p.tokens === undefined ? "perplexity" : "none"),
  needs: ["kv-cache"],
  params: FIDELITY_PARAMS,
  quantity: (p) => (p.metric === "snr-db" ? `SNR (dB) of the ${label(p)}` : `cosine similarity of the ${label(p)}`),
  async observe(input, params) {
    const { text, tokens } = await cachedText(input, params.tokens);
    const r = await input.kvCompression(input.subject, text, tokens, cacheOf(params));
    const worst = r.tensors.reduce((a, b) => (b.snrDb < a.snrDb ? b : a));
    return {
      value: params.metric === "snr-db" ? r.snrDb : r.cosine,
      summary:
        `SNR ${r.snrDb.toFixed(2)} dB, cosine ${r.cosine.toFixed(6)}, max abs error ${r.maxAbsError.toExponential(3)}, ${r.quality}, ` +
        `${r.compressionRatio.toFixed(3)}x over ${r.count} values (worst tensor ${worst.name}: ${worst.snrDb.toFixed(2)} dB)`,
      evidence: {
        notes: [
          `keys: SNR ${r.keys.snrDb.toFixed(2)} dB, cosine ${r.keys.cosine.toFixed(6)}; values: SNR ${r.values.snrDb.toFixed(2)} dB, cosine ${r.values.cosine.toFixed(6)}`,
          `${r.originalBytes} -> ${r.compressedBytes} bytes of tensor data (${r.compressionRatio.toFixed(3)}x) over ${tokens} tokens`,
        ],
      },
    };
  },
});

export const kvOracleMismatch = defineMeasure<CacheParams>({
  name: "kv-oracle-mismatch",
  description: "greedy tokens for one prompt with the quantized KV cache that differ from the oracle's, position by position",
  input: "prompt",
  needsAgainst: false,
  value: "number",
  oracle: () => "generations",
  needs: ["generate", "kv-cache"],
  params: GREEDY_PARAMS,
  quantity: (p) => `greedy tokens of the ${label(p)} that differ from the oracle's`,
  async observe({ subject, prompts, generate, oracleGeneration }, params) {
    const [prompt] = prompts;
    const oracle = await oracleGeneration(subject.model, prompt);
    const generation = await generate(subject, prompt, { kvCache: cacheOf(params) });
    const divergence = compareTokens(prompt.name, oracle, generation);
    if (!divergence) return { value: 0, summary: `0 of ${oracle.tokens.length} tokens differ from the oracle's with the ${label(params)}`, evidence: { identical: [prompt.name] } };
    return {
      value: divergence.mismatches,
      summary: `${divergence.mismatches} of ${divergence.length} tokens differ from the oracle's with the ${label(params)}, ${describeDivergence(divergence)}`,
      evidence: { divergences: [{ ...divergence, label: label(params) }] },
    };
  },
});
