// `refute kv`: KV-cache files. extract (a model's cache over a prompt), stats (its shape, size
// and value statistics), compress (per-group int8/int4 with quality metrics; without -o the
// metrics alone), decompress (back to float32), validate (perplexity with the compressed cache
// against the float32 one, one result with a threshold). The quantizer, the file formats and
// the metrics are engine/kv's, the same ones the kv claims use.

import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { RefuteError } from "../core/errors.ts";
import { writeAtomicSync } from "../core/atomic-write.ts";
import { decodeCompressedKv } from "../engine/kv/compressed.ts";
import { extractKvCache } from "../engine/kv/extract.ts";
import { kvDataBytes, readKvBytes, readKvCacheFiles, writeKvCacheFiles } from "../engine/kv/file.ts";
import { QUALITY_FLOORS, QUALITY_LEVELS, qualityViolations, type ErrorMetrics, type QualityLevel } from "../engine/kv/metrics.ts";
import { checkKvOptions, KV_BITS, KV_GROUP_SIZES, type KvQuantOptions } from "../engine/kv/quantize.ts";
import { kvStats, type ValueStats } from "../engine/kv/stats.ts";
import { DEFAULT_PPL_THRESHOLD, type KvValidation, validateKvPerplexity } from "../engine/kv/validate.ts";
import { compressKv } from "../engine/kv/report.ts";
import { openModel } from "../engine/open.ts";
import { kernelsFor, withBackendOptions, type BackendOptions } from "./backend.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { anyCaseChoices, numberChoices, positiveInteger } from "./options.ts";

/** --threshold: a number >= 0. */
function nonNegative(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError("Expected a number >= 0.");
  return n;
}

function readTextFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new RefuteError("FILE_NOT_FOUND", `${file}: ${(e as Error).message}`, { file });
  }
}

/** --sparsity: a ratio in [0, 1). */
function ratio(text: string): number {
  const r = Number(text);
  if (text.trim() === "" || !(r >= 0 && r < 1)) throw new InvalidArgumentError("Expected a ratio in [0, 1).");
  return r;
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const kv = refuteCommand("kv", io).description("KV-cache files: extract a model's cache, its statistics, compress it per group with quality metrics, decompress it, and validate a compression by perplexity.");
  extractCommand(kv, io);
  statsCommand(kv, io);
  compressCommand(kv, io);
  decompressCommand(kv, io);
  validateCommand(kv, io);
  return runCommand(kv, argv, io);
}

function extractCommand(kv: Command, io: Output): void {
  const command = kv
    .command("extract")
    .summary("run a model over a prompt and save its KV cache")
    .description(
      "Runs the prompt through the embedded engine (float32 cache) and writes every layer's keys and values as tensors layer_{i}_key and layer_{i}_value, [num_kv_heads, seq_len, head_dim] float32 (keys after RoPE), and beside it <cache>.metadata.json: num_layers, num_kv_heads, seq_len, head_dim, dtype, model.",
    )
    .requiredOption("--model <model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .requiredOption("--prompt <text>", "the prompt whose cache is saved")
    .requiredOption("-o, --output <file>", "the cache file to write (.safetensors)");
  withContractOption(command);
  onRun(command, async (options: { model: string; prompt: string; output: string } & ContractOption) => {
    const model = openModel(options.model, undefined, { skipContract: skipContract(options, io) });
    const cache = extractKvCache(model, model.encodePrompt(options.prompt), options.model);
    const metadataPath = writeKvCacheFiles(options.output, cache);
    const m = cache.metadata;
    io.out(`${options.output}: ${m.num_layers} layers x key/value [${m.num_kv_heads}, ${m.seq_len}, ${m.head_dim}] float32, ${kvDataBytes(m)} bytes of tensor data`);
    io.out(`${metadataPath}: metadata`);
    return 0;
  });
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function metricsJson(m: ErrorMetrics) {
  return { rmse: m.rmse, snr_db: Number.isFinite(m.snrDb) ? m.snrDb : null, cosine_similarity: m.cosine, max_error: m.maxAbsError, count: m.count };
}

function statsCommand(kv: Command, io: Output): void {
  const command = kv
    .command("stats")
    .summary("a saved cache's shape, size and value statistics")
    .description("Reads a cache written by `refute kv extract` (with <cache>.metadata.json beside it) and prints its layers, kv heads, positions and head size, the number of values, their bytes and MB in the cache's dtype, and the mean, standard deviation (population), minimum and maximum of the values: of all of them, of the keys and of the values.")
    .argument("<cache>", "a cache file written by `refute kv extract` or `refute kv decompress`")
    .option("--json", "one JSON object");
  onRun(command, async (input: string, options: { json?: boolean }) => {
    const s = kvStats(readKvCacheFiles(input));
    const row = (v: ValueStats) => ({ elements: v.elements, mean: v.mean, std: v.std, min: v.min, max: v.max });
    if (options.json) {
      io.out(JSON.stringify({ num_layers: s.num_layers, num_kv_heads: s.num_kv_heads, seq_len: s.seq_len, head_dim: s.head_dim, dtype: s.dtype, model: s.model, total_elements: s.totalElements, total_bytes: s.totalBytes, total_mb: s.totalMb, all: row(s.all), keys: row(s.keys), values: row(s.values) }));
      return 0;
    }
    const line = (name: string, v: ValueStats) => `${name.padEnd(7)} ${String(v.elements).padStart(10)}  mean ${v.mean.toExponential(4)}  std ${v.std.toExponential(4)}  min ${v.min.toExponential(4)}  max ${v.max.toExponential(4)}`;
    io.out(`${input}: ${s.model}, ${s.num_layers} layers x key/value [${s.num_kv_heads}, ${s.seq_len}, ${s.head_dim}] ${s.dtype}`);
    io.out(`${s.totalElements} values, ${s.totalBytes} bytes (${s.totalMb.toFixed(3)} MB)`);
    for (const [name, v] of [["all", s.all], ["keys", s.keys], ["values", s.values]] as const) io.out(line(name, v));
    return 0;
  });
}

interface CompressOptions extends KvQuantOptions {
  output?: string;
  minQuality: QualityLevel;
  json?: boolean;
}

function compressCommand(kv: Command, io: Output): void {
  const command = kv
    .command("compress")
    .summary("quantize a saved cache per group (int8 or int4) and report what it cost")
    .description(
      `Quantizes every key and value tensor per group of --group-size values along head_dim (symmetric: one f16 scale per group, codes in [-127, 127] or [-7, 7]), after zeroing the fraction --sparsity of smallest-magnitude values in each group. Reads <cache>.metadata.json beside the input. The output is SafeTensors with I8/U8 code tensors, F16 scales and, when sparsified, a keep mask (format in engine/kv/compressed.ts).

Prints the compression ratio (tensor data of the original over tensor data of the output), both sizes, RMSE, SNR in dB, cosine similarity and max abs error of what the written file decodes to against the original, the quality level and the processing time. Quality levels (the worse of SNR and cosine decides):
${QUALITY_FLOORS.map((f) => `  ${f.level.padEnd(11)} SNR >= ${f.snrDb} dB and cosine >= ${f.cosine}`).join("\n")}
  POOR        anything less`,
    )
    .argument("<cache>", "a cache file written by `refute kv extract` or `refute kv decompress`")
    .option("-o, --output <file>", "the compressed cache to write (.safetensors); without it, the metrics alone (nothing is written)")
    .addOption(numberChoices(new Option("--group-size <n>", "values per quantization group along head_dim"), KV_GROUP_SIZES).makeOptionMandatory())
    .addOption(numberChoices(new Option("--bits <n>", "bits per code"), KV_BITS).makeOptionMandatory())
    .addOption(new Option("--sparsity <r>", "the fraction of smallest-magnitude values zeroed in each group, in [0, 1)").argParser(ratio).default(0))
    .addOption(anyCaseChoices(new Option("--min-quality <level>", "exit 1 when the quality is below this level"), QUALITY_LEVELS).default("ACCEPTABLE"))
    .option("--json", "one JSON object (snr_db is null when the reconstruction is exact)");
  onRun(command, async (input: string, options: CompressOptions) => compress(input, options, io));
}

async function compress(input: string, options: CompressOptions, io: Output): Promise<number> {
  const out = options.output;
  const minQuality = options.minQuality;
  const quant: KvQuantOptions = { bits: options.bits, groupSize: options.groupSize, sparsity: options.sparsity };
  const cache = readKvCacheFiles(input);
  const { bytes, report: r } = compressKv(cache, quant);
  if (out !== undefined) writeAtomicSync(out, bytes);
  const passed = QUALITY_LEVELS.indexOf(r.quality) <= QUALITY_LEVELS.indexOf(minQuality);
  const violations = passed ? [] : qualityViolations(r, minQuality);
  if (options.json) {
    io.out(
      JSON.stringify({
        output: out ?? null,
        compression_ratio: r.compressionRatio,
        original_size_bytes: r.originalBytes,
        compressed_size_bytes: r.compressedBytes,
        file_size_bytes: r.fileBytes,
        ...metricsJson(r),
        quality_level: r.quality,
        processing_time_ms: r.processingMs,
        passed,
        violations,
        bits: options.bits,
        group_size: options.groupSize,
        sparsity: options.sparsity,
        keys: metricsJson(r.keys),
        values: metricsJson(r.values),
        tensors: r.tensors.map((t) => ({ name: t.name, ...metricsJson(t) })),
      }),
    );
  } else {
    const level = QUALITY_FLOORS.find((f) => f.level === r.quality);
    io.out(`${input} -> ${out ?? "(metrics only, nothing written)"}: int${options.bits}, group ${options.groupSize}, sparsity ${options.sparsity}`);
    io.out(`compression ratio  ${r.compressionRatio.toFixed(3)}x (${r.originalBytes} -> ${r.compressedBytes} bytes of tensor data; file ${r.fileBytes} bytes)`);
    io.out(`RMSE               ${r.rmse.toExponential(4)}`);
    io.out(`SNR                ${fixed(r.snrDb, 2)} dB (keys ${fixed(r.keys.snrDb, 2)}, values ${fixed(r.values.snrDb, 2)})`);
    io.out(`cosine similarity  ${r.cosine.toFixed(6)}`);
    io.out(`max abs error      ${r.maxAbsError.toExponential(4)}`);
    io.out(`quality            ${r.quality}${level ? ` (SNR >= ${level.snrDb} dB, cosine >= ${level.cosine})` : ""}`);
    io.out(`processing time    ${r.processingMs.toFixed(1)} ms`);
    if (!passed) io.out(`below ${minQuality}: ${violations.join("; ")}`);
  }
  return passed ? 0 : 1;
}

interface ValidateOptions extends KvQuantOptions, BackendOptions, ContractOption {
  model: string;
  textFile: string;
  window?: number;
  stride?: number;
  threshold: number;
  ppl?: boolean;
  json?: boolean;
}

function validateCommand(kv: Command, io: Output): void {
  const command = kv
    .command("validate")
    .summary("perplexity with the compressed cache against the float32 one: one result")
    .description(
      `Runs the model over the text (sliding windows, as \`refute ppl\`) twice: with its float32 KV cache and with the cache quantized per group as --bits, --group-size and --sparsity say, at every position as the tokens arrive. Prints one result: baseline and compressed perplexity, delta and delta per cent, and what compressing the cache of the first window does to it (compression ratio, RMSE, SNR, cosine); passed when the perplexity rises by less than --threshold (absolute). --ppl names the validation (perplexity, the only one).
Exit code: 0 passed, 1 not passed, 2 usage or input error.`,
    )
    .requiredOption("--model <model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--text-file <file>", "the text to score", "oracle/ppl/heldout.txt")
    .addOption(new Option("--window <n>", "tokens per window (default: 128, or the model's context if shorter)").argParser(positiveInteger))
    .addOption(new Option("--stride <n>", "tokens between window starts (default: half the window)").argParser(positiveInteger))
    .addOption(numberChoices(new Option("--group-size <n>", "values per quantization group along head_dim"), KV_GROUP_SIZES).default(32))
    .addOption(numberChoices(new Option("--bits <n>", "bits per code"), KV_BITS).default(8))
    .addOption(new Option("--sparsity <r>", "the fraction of smallest-magnitude values zeroed in each group, in [0, 1)").argParser(ratio).default(0))
    .addOption(new Option("--threshold <delta>", "the largest perplexity rise that passes (absolute)").argParser(nonNegative).default(DEFAULT_PPL_THRESHOLD))
    .option("--ppl", "validate by perplexity (the default and only validation)")
    .option("--json", "one JSON object (the seed's ValidationResult fields)");
  withBackendOptions(command);
  withContractOption(command);
  onRun(command, async (options: ValidateOptions) => validate(options, io));
}

async function validate(options: ValidateOptions, io: Output): Promise<number> {
  const text = readTextFile(options.textFile);
  const quant: KvQuantOptions = { bits: options.bits, groupSize: options.groupSize, sparsity: options.sparsity };
  const kernels = await kernelsFor(options, options.model);
  let r: KvValidation;
  try {
    const model = openModel(options.model, kernels, { skipContract: skipContract(options, io) });
    checkKvOptions(quant, model.arch.headDim);
    const window = options.window ?? Math.min(128, model.arch.maxPositions);
    r = validateKvPerplexity(model, text, window, options.stride ?? Math.max(1, window >> 1), quant, options.threshold);
  } finally {
    await kernels.close?.();
  }
  if (options.json) {
    io.out(
      JSON.stringify({
        baseline_perplexity: r.baselinePerplexity,
        compressed_perplexity: r.compressedPerplexity,
        delta: r.delta,
        delta_percent: r.deltaPercent,
        compression_ratio: r.compressionRatio,
        rmse: r.rmse,
        snr_db: Number.isFinite(r.snrDb) ? r.snrDb : null,
        cosine_similarity: r.cosineSimilarity,
        passed: r.passed,
        threshold: r.threshold,
        tokens_scored: r.tokensScored,
        window: r.window,
        stride: r.stride,
        bits: quant.bits,
        group_size: quant.groupSize,
        sparsity: quant.sparsity,
      }),
    );
  } else {
    io.out(`${options.model} on ${options.textFile}: int${quant.bits}, group ${quant.groupSize}, sparsity ${quant.sparsity} (${r.tokensScored} tokens, window ${r.window}, stride ${r.stride})`);
    io.out(`baseline perplexity    ${r.baselinePerplexity.toFixed(4)}`);
    io.out(`compressed perplexity  ${r.compressedPerplexity.toFixed(4)}`);
    io.out(`delta                  ${r.delta >= 0 ? "+" : ""}${r.delta.toFixed(4)} (${r.deltaPercent >= 0 ? "+" : ""}${r.deltaPercent.toFixed(3)}%)`);
    io.out(`compression ratio      ${r.compressionRatio.toFixed(3)}x`);
    io.out(`RMSE                   ${r.rmse.toExponential(4)}`);
    io.out(`SNR                    ${fixed(r.snrDb, 2)} dB`);
    io.out(`cosine similarity      ${r.cosineSimilarity.toFixed(6)}`);
    io.out(`${r.passed ? "PASSED" : "FAILED"}: delta ${r.delta.toFixed(4)} ${r.passed ? "<" : ">="} threshold ${r.threshold}`);
  }
  return r.passed ? 0 : 1;
}

function decompressCommand(kv: Command, io: Output): void {
  const command = kv
    .command("decompress")
    .summary("turn a compressed cache back into float32")
    .description(
      "Dequantizes a file written by `refute kv compress` into float32 tensors layer_{i}_key and layer_{i}_value, [num_kv_heads, seq_len, head_dim], with <cache>.metadata.json beside it: the layout `refute kv extract` writes and `refute kv compress` reads.",
    )
    .argument("<compressed>", "a file written by `refute kv compress`")
    .requiredOption("-o, --output <file>", "the float32 cache to write (.safetensors)")
    .option("--json", "one JSON object: sizes, options, metadata, processing time");
  onRun(command, async (input: string, options: { output: string; json?: boolean }) => decompress(input, options.output, options.json === true, io));
}

async function decompress(input: string, out: string, json: boolean, io: Output): Promise<number> {
  const bytes = readKvBytes(input);
  const started = performance.now();
  const cache = decodeCompressedKv(bytes, input);
  const processingMs = performance.now() - started;
  const metadataPath = writeKvCacheFiles(out, cache);
  const m = cache.metadata;
  if (json) {
    io.out(
      JSON.stringify({
        compressed_file_bytes: bytes.byteLength,
        decompressed_size_bytes: kvDataBytes(m),
        processing_time_ms: processingMs,
        bits: cache.options.bits,
        group_size: cache.options.groupSize,
        sparsity: cache.options.sparsity,
        metadata: m,
        metadata_path: metadataPath,
      }),
    );
  } else {
    io.out(`${input} -> ${out}: int${cache.options.bits}, group ${cache.options.groupSize}, sparsity ${cache.options.sparsity}`);
    io.out(`${m.num_layers} layers x key/value [${m.num_kv_heads}, ${m.seq_len}, ${m.head_dim}] float32, ${kvDataBytes(m)} bytes of tensor data (from a ${bytes.byteLength}-byte file)`);
    io.out(`${metadataPath}: metadata`);
    io.out(`processing time    ${processingMs.toFixed(1)} ms`);
  }
  return 0;
}
