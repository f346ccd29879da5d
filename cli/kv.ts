// `refute kv`: KV-cache files. extract (a model's cache over a prompt), compress (per-group
// int8/int4 with quality metrics), decompress (back to float32). The quantizer, the file
// formats and the metrics are engine/kv's, the same ones the kv claims use.

import { writeAtomicSync } from "../core/atomic-write.ts";
import { RefuteError } from "../core/errors.ts";
import { decodeCompressedKv } from "../engine/kv/compressed.ts";
import { extractKvCache } from "../engine/kv/extract.ts";
import { kvDataBytes, readKvBytes, readKvCacheFiles, writeKvCacheFiles } from "../engine/kv/file.ts";
import { QUALITY_FLOORS, QUALITY_LEVELS, qualityViolations, type ErrorMetrics, type QualityLevel } from "../engine/kv/metrics.ts";
import type { KvQuantOptions } from "../engine/kv/quantize.ts";
import { compressKv } from "../engine/kv/report.ts";
import { openModel } from "../engine/open.ts";
import { parseCommand, requireString, type Parsed } from "./args.ts";

const HELP = `usage: refute kv <extract|compress|decompress> [options]

  extract     run a model over a prompt and save its KV cache
  compress    quantize a saved cache per group (int8 or int4) and report what it cost
  decompress  turn a compressed cache back into float32

\`refute kv <subcommand> --help\` describes each one.`;

const EXTRACT_HELP = `usage: refute kv extract --model <dir|file|zoo slug> --prompt "<text>" -o <cache.safetensors>

Runs the prompt through the embedded engine (float32 cache) and writes every layer's keys and
values as tensors layer_{i}_key and layer_{i}_value, [num_kv_heads, seq_len, head_dim] float32
(keys after RoPE), and beside it <cache>.metadata.json: num_layers, num_kv_heads, seq_len,
head_dim, dtype, model.`;

const COMPRESS_HELP = `usage: refute kv compress <cache.safetensors> -o <out.safetensors> --group-size 32|64|128 --bits 8|4
                         [--sparsity <r>] [--min-quality <level>] [--json]

Quantizes every key and value tensor per group of --group-size values along head_dim
(symmetric: one f16 scale per group, codes in [-127, 127] or [-7, 7]), after zeroing the
fraction --sparsity (in [0, 1), default 0) of smallest-magnitude values in each group.
Reads <cache>.metadata.json beside the input. The output is SafeTensors with I8/U8 code
tensors, F16 scales and, when sparsified, a keep mask (format in engine/kv/compressed.ts).

Prints the compression ratio (tensor data of the original over tensor data of the output),
both sizes, RMSE, SNR in dB, cosine similarity and max abs error of what the written file
decodes to against the original, the quality level and the processing time.
Quality levels (the worse of SNR and cosine decides):
${QUALITY_FLOORS.map((f) => `  ${f.level.padEnd(11)} SNR >= ${f.snrDb} dB and cosine >= ${f.cosine}`).join("\n")}
  POOR        anything less

  --min-quality  exit 1 when the quality is below this level (default ACCEPTABLE)
  --json         one JSON object (snr_db is null when the reconstruction is exact)`;

const DECOMPRESS_HELP = `usage: refute kv decompress <compressed.safetensors> -o <cache.safetensors> [--json]

Dequantizes a file written by \`refute kv compress\` into float32 tensors layer_{i}_key and
layer_{i}_value, [num_kv_heads, seq_len, head_dim], with <cache>.metadata.json beside it:
the layout \`refute kv extract\` writes and \`refute kv compress\` reads.`;

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { extract, compress, decompress };

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS[sub];
  if (!command) throw new RefuteError("E_USAGE", `unknown subcommand '${sub}'\n\n${HELP}`, { found: sub });
  return command(rest);
}

function output(values: Parsed["values"], help: string): string {
  return requireString(values, "output", help);
}

function onePositional(parsed: Parsed, what: string, help: string): string {
  if (parsed.positionals.length !== 1) {
    throw new RefuteError("E_USAGE", `expected one ${what}, found ${parsed.positionals.length}\n\n${help}`, { found: parsed.positionals });
  }
  return parsed.positionals[0];
}

function choice<T extends number>(values: Parsed["values"], name: string, allowed: readonly T[], help: string): T {
  const raw = requireString(values, name, help);
  const n = Number(raw);
  if (!(allowed as readonly number[]).includes(n)) {
    throw new RefuteError("E_USAGE", `--${name} must be one of ${allowed.join(", ")}, found ${JSON.stringify(raw)}`, { option: name, expected: allowed, found: raw });
  }
  return n as T;
}

async function extract(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { model: { type: "string" }, prompt: { type: "string" }, output: { type: "string", short: "o" } }, EXTRACT_HELP);
  if (!parsed) return 0;
  const { values } = parsed;
  const modelName = requireString(values, "model", EXTRACT_HELP);
  const prompt = requireString(values, "prompt", EXTRACT_HELP);
  const out = output(values, EXTRACT_HELP);
  const model = openModel(modelName);
  const cache = extractKvCache(model, model.encodePrompt(prompt), modelName);
  const metadataPath = writeKvCacheFiles(out, cache);
  const m = cache.metadata;
  console.log(`${out}: ${m.num_layers} layers x key/value [${m.num_kv_heads}, ${m.seq_len}, ${m.head_dim}] float32, ${kvDataBytes(m)} bytes of tensor data`);
  console.log(`${metadataPath}: metadata`);
  return 0;
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function metricsJson(m: ErrorMetrics) {
  return { rmse: m.rmse, snr_db: Number.isFinite(m.snrDb) ? m.snrDb : null, cosine_similarity: m.cosine, max_error: m.maxAbsError, count: m.count };
}

async function compress(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      output: { type: "string", short: "o" },
      "group-size": { type: "string" },
      bits: { type: "string" },
      sparsity: { type: "string" },
      "min-quality": { type: "string" },
      json: { type: "boolean" },
    },
    COMPRESS_HELP,
    true,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const input = onePositional(parsed, "input cache file", COMPRESS_HELP);
  const out = output(values, COMPRESS_HELP);
  const options: KvQuantOptions = {
    bits: choice(values, "bits", [8, 4] as const, COMPRESS_HELP),
    groupSize: choice(values, "group-size", [32, 64, 128] as const, COMPRESS_HELP),
    sparsity: values.sparsity === undefined ? 0 : Number(values.sparsity),
  };
  if (typeof values.sparsity === "string" && !(values.sparsity.trim() !== "" && options.sparsity >= 0 && options.sparsity < 1)) {
    throw new RefuteError("E_USAGE", `--sparsity must be a ratio in [0, 1), found ${JSON.stringify(values.sparsity)}`, { option: "sparsity", found: values.sparsity });
  }
  const minQuality = (typeof values["min-quality"] === "string" ? values["min-quality"].toUpperCase() : "ACCEPTABLE") as QualityLevel;
  if (!QUALITY_LEVELS.includes(minQuality)) {
    throw new RefuteError("E_USAGE", `--min-quality must be one of ${QUALITY_LEVELS.join(", ")}, found ${JSON.stringify(values["min-quality"])}`, { option: "min-quality" });
  }
  const cache = readKvCacheFiles(input);
  const { bytes, report: r } = compressKv(cache, options);
  writeAtomicSync(out, bytes);
  const passed = QUALITY_LEVELS.indexOf(r.quality) <= QUALITY_LEVELS.indexOf(minQuality);
  const violations = passed ? [] : qualityViolations(r, minQuality);
  if (values.json) {
    console.log(
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
    console.log(`${input} -> ${out}: int${options.bits}, group ${options.groupSize}, sparsity ${options.sparsity}`);
    console.log(`compression ratio  ${r.compressionRatio.toFixed(3)}x (${r.originalBytes} -> ${r.compressedBytes} bytes of tensor data; file ${r.fileBytes} bytes)`);
    console.log(`RMSE               ${r.rmse.toExponential(4)}`);
    console.log(`SNR                ${fixed(r.snrDb, 2)} dB (keys ${fixed(r.keys.snrDb, 2)}, values ${fixed(r.values.snrDb, 2)})`);
    console.log(`cosine similarity  ${r.cosine.toFixed(6)}`);
    console.log(`max abs error      ${r.maxAbsError.toExponential(4)}`);
    console.log(`quality            ${r.quality}${level ? ` (SNR >= ${level.snrDb} dB, cosine >= ${level.cosine})` : ""}`);
    console.log(`processing time    ${r.processingMs.toFixed(1)} ms`);
    if (!passed) console.log(`below ${minQuality}: ${violations.join("; ")}`);
  }
  return passed ? 0 : 1;
}

async function decompress(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { output: { type: "string", short: "o" }, json: { type: "boolean" } }, DECOMPRESS_HELP, true);
  if (!parsed) return 0;
  const input = onePositional(parsed, "compressed cache file", DECOMPRESS_HELP);
  const out = output(parsed.values, DECOMPRESS_HELP);
  const bytes = readKvBytes(input);
  const started = performance.now();
  const cache = decodeCompressedKv(bytes, input);
  const processingMs = performance.now() - started;
  const metadataPath = writeKvCacheFiles(out, cache);
  const m = cache.metadata;
  if (parsed.values.json) {
    console.log(
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
    console.log(`${input} -> ${out}: int${cache.options.bits}, group ${cache.options.groupSize}, sparsity ${cache.options.sparsity}`);
    console.log(`${m.num_layers} layers x key/value [${m.num_kv_heads}, ${m.seq_len}, ${m.head_dim}] float32, ${kvDataBytes(m)} bytes of tensor data (from a ${bytes.byteLength}-byte file)`);
    console.log(`${metadataPath}: metadata`);
    console.log(`processing time    ${processingMs.toFixed(1)} ms`);
  }
  return 0;
}
