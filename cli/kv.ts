// `refute kv`: KV-cache files. extract (a model's cache over a prompt), compress (per-group
// int8/int4 with quality metrics), decompress (back to float32). The quantizer, the file
// formats and the metrics are engine/kv's, the same ones the kv claims use.

import { InvalidArgumentError, Option, type Command } from "commander";
import { writeAtomicSync } from "../core/atomic-write.ts";
import { decodeCompressedKv } from "../engine/kv/compressed.ts";
import { extractKvCache } from "../engine/kv/extract.ts";
import { kvDataBytes, readKvBytes, readKvCacheFiles, writeKvCacheFiles } from "../engine/kv/file.ts";
import { QUALITY_FLOORS, QUALITY_LEVELS, qualityViolations, type ErrorMetrics, type QualityLevel } from "../engine/kv/metrics.ts";
import { KV_BITS, KV_GROUP_SIZES, type KvQuantOptions } from "../engine/kv/quantize.ts";
import { compressKv } from "../engine/kv/report.ts";
import { openModel } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { anyCaseChoices, numberChoices } from "./options.ts";

/** --sparsity: a ratio in [0, 1). */
function ratio(text: string): number {
  const r = Number(text);
  if (text.trim() === "" || !(r >= 0 && r < 1)) throw new InvalidArgumentError("Expected a ratio in [0, 1).");
  return r;
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const kv = refuteCommand("kv", io).description("KV-cache files: extract a model's cache, compress it per group with quality metrics, decompress it.");
  extractCommand(kv, io);
  compressCommand(kv, io);
  decompressCommand(kv, io);
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

interface CompressOptions extends KvQuantOptions {
  output: string;
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
    .requiredOption("-o, --output <file>", "the compressed cache to write (.safetensors)")
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
  writeAtomicSync(out, bytes);
  const passed = QUALITY_LEVELS.indexOf(r.quality) <= QUALITY_LEVELS.indexOf(minQuality);
  const violations = passed ? [] : qualityViolations(r, minQuality);
  if (options.json) {
    io.out(
      JSON.stringify({
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
    io.out(`${input} -> ${out}: int${options.bits}, group ${options.groupSize}, sparsity ${options.sparsity}`);
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
