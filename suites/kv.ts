// kv: measures of the embedded engine's quantized KV cache against its own float32 cache,
// on the same model, tokens and kernels, so the difference is the cache's alone. One table
// of cache configurations times four kinds of observation:
//   kv-<config>-ppl-delta        |perplexity with the quantized cache - with float32| on the
//                                oracle's held-out text, with the oracle's window and stride
//   kv-<config>-ppl-change       the same difference in percent of the float32 cache's perplexity
//   kv-<config>-greedy-mismatch  greedy tokens with the quantized cache that differ from float32's
//   kv-<config>-snr-db           SNR of the cache the model builds over the held-out text's first
//   kv-<config>-cosine           window of tokens, compressed as `refute kv compress` does
// The engine is called directly (as probes.ts does); the fault comes from the subject.

import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import { prepareSource } from "../engine/convert.ts";
import { parseFault } from "../engine/faults.ts";
import { greedy } from "../engine/generate/greedy.ts";
import { perplexity, type PerplexityResult } from "../engine/generate/perplexity.ts";
import { extractKvCache } from "../engine/kv/extract.ts";
import type { KvQuantOptions } from "../engine/kv/quantize.ts";
import { compressKv, type KvCompressionReport } from "../engine/kv/report.ts";
import { EngineModel } from "../engine/model.ts";
import { BlockedError, type SubjectSpec } from "../runtimes/runtime.ts";
import type { Measure, MeasureInput, OraclePerplexity } from "./measure.ts";
import { compareTokens, describeDivergence } from "./tokens.ts";

const CONFIGS: Record<string, KvQuantOptions> = {
  "int8-g32": { bits: 8, groupSize: 32, sparsity: 0 },
  "int4-g32": { bits: 4, groupSize: 32, sparsity: 0 },
};

const label = (kv: KvQuantOptions | null) => (kv ? `int${kv.bits} g${kv.groupSize}${kv.sparsity > 0 ? ` sparsity ${kv.sparsity}` : ""} cache` : "float32 cache");

// A few recent models and results, keyed by subject: the claims of this suite ask for the same
// model and the same float32 perplexity several times in a run. Bounded, so a teeth run that
// prepares each model under every fault keeps only the latest.
class Recent<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly size: number) {}
  get(key: string, make: () => T): T {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make();
      this.entries.set(key, value);
      if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }
}

const models = new Recent<EngineModel>(3);
const perplexities = new Recent<PerplexityResult>(16);
const compressions = new Recent<KvCompressionReport>(8);

const keyOf = (s: SubjectSpec) => JSON.stringify([s.model, s.format, s.quant, s.backend, s.inject ?? null]);

function engineModel(subject: SubjectSpec): EngineModel {
  if (subject.runtime !== "embedded") throw new BlockedError(`the kv measures run the embedded engine's KV cache; runtime ${subject.runtime} has none to configure`);
  if (subject.backend !== "cpu" && subject.backend !== "cpu-ts") throw new BlockedError(`the kv measures run on the cpu backend; ${subject.backend} is not wired here`);
  return models.get(keyOf(subject), () => {
    const fault = parseFault(subject.inject);
    return new EngineModel(prepareSource(subject.model, subject.format, subject.quant, fault), cpuKernels, fault);
  });
}

/** The held-out text's perplexity with the oracle's window and stride, through a float32 or a quantized cache. */
function textPerplexity(subject: SubjectSpec, oracle: OraclePerplexity, kv: KvQuantOptions | null): PerplexityResult {
  const model = engineModel(subject);
  const run = () => perplexity(model.session(oracle.window, kv), model.tokenizer.encode(oracle.text), oracle.window, oracle.stride);
  return perplexities.get(`${keyOf(subject)} ${oracle.textSha256} ${oracle.window} ${oracle.stride} ${JSON.stringify(kv)}`, run);
}

function pplDifference(config: string, kv: KvQuantOptions, unit: "delta" | "change"): Measure {
  return {
    name: `kv-${config}-ppl-${unit}`,
    input: "text",
    needsAgainst: false,
    quantity: unit === "delta" ? `|perplexity delta| of the ${label(kv)}` : `|perplexity change| (%) of the ${label(kv)}`,
    async observe({ subject, oraclePerplexity }) {
      const oracle = await oraclePerplexity(subject.model);
      const base = textPerplexity(subject, oracle, null);
      const quantized = textPerplexity(subject, oracle, kv);
      const delta = quantized.perplexity - base.perplexity;
      const percent = (100 * delta) / base.perplexity;
      const sign = (x: number) => (x >= 0 ? "+" : "");
      return {
        value: Math.abs(unit === "delta" ? delta : percent),
        summary:
          `${label(kv)} ${quantized.perplexity.toFixed(4)} vs float32 cache ${base.perplexity.toFixed(4)}: ` +
          `delta ${sign(delta)}${delta.toFixed(6)} (${sign(percent)}${percent.toFixed(4)}%) over ${base.tokensScored} tokens`,
        evidence: {
          perplexity: [
            [label(null), base],
            [label(kv), quantized],
          ].map(([name, p]) => ({
            label: name as string,
            subject: (p as PerplexityResult).perplexity,
            reference: oracle.perplexity,
            tokensScored: (p as PerplexityResult).tokensScored,
            referenceTokensScored: oracle.tokensScored,
            window: oracle.window,
            stride: oracle.stride,
          })),
        },
      };
    },
  };
}

function greedyMismatch(config: string, kv: KvQuantOptions): Measure {
  return {
    name: `kv-${config}-greedy-mismatch`,
    input: "prompt",
    needsAgainst: false,
    quantity: `greedy tokens of the ${label(kv)} that differ from the float32 cache's`,
    async observe({ subject, prompts, maxNewTokens }) {
      const [prompt] = prompts;
      const model = engineModel(subject);
      const promptTokens = model.encodePrompt(prompt.text);
      const run = (cache: KvQuantOptions | null) => {
        const session = model.session(Math.min(model.arch.maxPositions, promptTokens.length + maxNewTokens), cache);
        const { tokens, topk } = greedy(session, model.kernels, promptTokens, { maxNewTokens, topK: 10 });
        return { tokens, topk, text: model.tokenizer.decode(tokens) };
      };
      const base = run(null);
      const divergence = compareTokens(prompt.name, base, run(kv), label(null));
      if (!divergence) return { value: 0, summary: `0 of ${base.tokens.length} tokens differ from the float32 cache's`, evidence: { identical: [prompt.name] } };
      return {
        value: divergence.mismatches,
        summary: `${divergence.mismatches} of ${divergence.length} tokens differ from the float32 cache's, ${describeDivergence(divergence)}`,
        evidence: { divergences: [{ ...divergence, label: label(kv) }] },
      };
    },
  };
}

/** The model's float32 cache over the held-out text's first window, compressed with `kv` (as `refute kv compress`). */
async function compressedCache(subject: SubjectSpec, oraclePerplexity: MeasureInput["oraclePerplexity"], kv: KvQuantOptions): Promise<KvCompressionReport> {
  const oracle = await oraclePerplexity(subject.model);
  return compressions.get(`${keyOf(subject)} ${oracle.textSha256} ${oracle.window} ${JSON.stringify(kv)}`, () => {
    const model = engineModel(subject);
    const cache = extractKvCache(model, model.tokenizer.encode(oracle.text).slice(0, oracle.window), subject.model);
    return compressKv(cache, kv, parseFault(subject.inject)).report;
  });
}

function cacheMetric(config: string, kv: KvQuantOptions, metric: "snr-db" | "cosine"): Measure {
  return {
    name: `kv-${config}-${metric}`,
    input: "text",
    needsAgainst: false,
    quantity: metric === "snr-db" ? `SNR (dB) of the ${label(kv)}` : `cosine similarity of the ${label(kv)}`,
    async observe({ subject, oraclePerplexity }) {
      const r = await compressedCache(subject, oraclePerplexity, kv);
      const worst = r.tensors.reduce((a, b) => (b.snrDb < a.snrDb ? b : a));
      return {
        value: metric === "snr-db" ? r.snrDb : r.cosine,
        summary:
          `SNR ${r.snrDb.toFixed(2)} dB, cosine ${r.cosine.toFixed(6)}, max abs error ${r.maxAbsError.toExponential(3)}, ${r.quality}, ` +
          `${r.compressionRatio.toFixed(3)}x over ${r.count} values (worst tensor ${worst.name}: ${worst.snrDb.toFixed(2)} dB)`,
        evidence: {
          notes: [
            `keys: SNR ${r.keys.snrDb.toFixed(2)} dB, cosine ${r.keys.cosine.toFixed(6)}; values: SNR ${r.values.snrDb.toFixed(2)} dB, cosine ${r.values.cosine.toFixed(6)}`,
            `${r.originalBytes} -> ${r.compressedBytes} bytes of tensor data (${r.compressionRatio.toFixed(3)}x)`,
          ],
        },
      };
    },
  };
}

export const kvMeasures: Measure[] = Object.entries(CONFIGS).flatMap(([config, kv]) => [
  pplDifference(config, kv, "delta"),
  pplDifference(config, kv, "change"),
  greedyMismatch(config, kv),
  cacheMetric(config, kv, "snr-db"),
  cacheMetric(config, kv, "cosine"),
]);
