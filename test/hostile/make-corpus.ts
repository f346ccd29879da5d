// Writes the committed corpus of corrupted model files (test/hostile/corpus/) and its index
// corpus.json: each file with the stable error code a reader or `refute validate` must give.
// Inputs are built from a micro LLaMA-style model (vocab 257: the 256 bytes and one special
// token, hidden 32, one layer), then damaged the way real files get damaged.
// Run: pnpm exec tsx test/hostile/make-corpus.ts

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeGguf } from "../../engine/formats/gguf/write.ts";
import { writeNative } from "../../engine/formats/native/write.ts";
import { writeSafeTensorsBytes } from "../../engine/formats/safetensors/write.ts";
import { ggufFromSource } from "../../engine/model/gguf-export.ts";
import { canonicalFromHf } from "../../engine/model/hf-names.ts";
import { architectureFromHfConfig } from "../../engine/model/config.ts";
import { config, f32, hfTensors, tokenizer } from "../../scripts/hostile/micro-model.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, "corpus");

interface Entry {
  file: string; // relative to the corpus directory; a directory for Hugging Face layouts
  damage: string;
  code: string;
}
const entries: Entry[] = [];

function write(rel: string, bytes: Uint8Array | string): void {
  const path = join(OUT, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

function hfDir(name: string, damage: string, code: string, safetensors: Uint8Array, cfg: object = config): void {
  write(`${name}/config.json`, JSON.stringify(cfg, null, 2) + "\n");
  write(`${name}/tokenizer.json`, JSON.stringify(tokenizer) + "\n");
  write(`${name}/model.safetensors`, safetensors);
  entries.push({ file: name, damage, code });
}

function file(name: string, damage: string, code: string, bytes: Uint8Array): void {
  write(name, bytes);
  entries.push({ file: name, damage, code });
}

function header(json: object, dataBytes: number): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

function setU64(bytes: Uint8Array, at: number, value: bigint): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(at, value, true);
  return out;
}

/** Byte offset of a GGUF tensor info's `offset` field, found after the tensor's name. */
function ggufOffsetField(bytes: Uint8Array, name: string): number {
  const needle = new TextEncoder().encode(name);
  for (let i = 0; i < bytes.length - needle.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b) && new DataView(bytes.buffer).getBigUint64(i - 8, true) === BigInt(needle.length)) {
      const nDims = new DataView(bytes.buffer).getUint32(i + needle.length, true);
      return i + needle.length + 4 + 8 * nDims + 4;
    }
  }
  throw new Error(`tensor ${name} not found`);
}

rmSync(OUT, { recursive: true, force: true });
const clean = writeSafeTensorsBytes(hfTensors());
const arch = architectureFromHfConfig(config);
const source = { format: "safetensors" as const, arch, config, tensors: canonicalFromHf(arch, hfTensors()), tokenizerJson: tokenizer, chatTemplate: null, endTokenIds: [], files: [] };
const gguf = writeGguf(ggufFromSource(source, "micro", "f32"));
const rft = writeNative({
  config,
  tokenizer,
  provenance: { source_format: "safetensors", source_files: [], quantization: "f32", tool_version: "corpus", created_at: "1970-01-01T00:00:00.000Z" },
  tensors: [...source.tensors.values()],
});

hfDir("safetensors-clean", "none: the undamaged micro model", "OK", clean);
hfDir("safetensors-truncated", "file cut in half, inside the data section", "SAFETENSORS_OFFSET_OUT_OF_RANGE", clean.subarray(0, clean.length >> 1));
hfDir("safetensors-giant-header", "header length field 2^40", "SAFETENSORS_HEADER_TOO_LARGE", setU64(clean, 0, 1n << 40n));
hfDir("safetensors-overlap", "two tensors whose data ranges overlap", "SAFETENSORS_OVERLAP", header({ "model.norm.weight": { dtype: "F32", shape: [32], data_offsets: [0, 128] }, "model.embed_tokens.weight": { dtype: "F32", shape: [16], data_offsets: [64, 128] } }, 128));
hfDir("safetensors-offset-out-of-range", "data_offsets past the end of the file", "SAFETENSORS_OFFSET_OUT_OF_RANGE", header({ "model.norm.weight": { dtype: "F32", shape: [1024], data_offsets: [0, 4096] } }, 128));
hfDir("safetensors-nan", "a NaN inside a projection weight", "TENSOR_NAN", writeSafeTensorsBytes(hfTensors({ "model.layers.0.mlp.up_proj.weight": f32("model.layers.0.mlp.up_proj.weight", [64, 32], NaN) })));
hfDir("safetensors-inf", "an infinite norm weight", "TENSOR_INF", writeSafeTensorsBytes(hfTensors({ "model.norm.weight": f32("model.norm.weight", [32], Infinity) })));
hfDir("safetensors-zero-embedding", "an all-zero token embedding", "TENSOR_ALL_ZERO", writeSafeTensorsBytes(hfTensors({ "model.embed_tokens.weight": f32("model.embed_tokens.weight", [257, 32], 0) })));
hfDir("safetensors-transposed-embedding", "token embedding stored [hidden, vocab]", "LAYOUT_EMBEDDING_SHAPE", writeSafeTensorsBytes(hfTensors({ "model.embed_tokens.weight": f32("model.embed_tokens.weight", [32, 257]) })));
hfDir("config-bad-field", "config.json hidden_size is a string", "CONFIG_BAD_FIELD", clean, { ...config, hidden_size: "32" });

file("gguf-clean.gguf", "none: the undamaged micro model", "OK", gguf);
file("gguf-truncated.gguf", "file cut inside the header's tensor count", "GGUF_TRUNCATED", gguf.subarray(0, 12));
file("gguf-wrong-magic.gguf", "magic GGUF replaced by GGML", "GGUF_BAD_MAGIC", Uint8Array.from([...new TextEncoder().encode("GGML"), ...gguf.subarray(4)]));
file("gguf-giant-tensor-count.gguf", "tensor count 2^62", "GGUF_COUNT_TOO_LARGE", setU64(gguf, 8, 1n << 62n));
file("gguf-giant-string.gguf", "first metadata key claims 2^40 bytes", "GGUF_STRING_TOO_LONG", setU64(gguf, 24, 1n << 40n));
const offsetAt = ggufOffsetField(gguf, "output_norm.weight");
const offset = new DataView(gguf.buffer).getBigUint64(offsetAt, true);
file("gguf-misaligned-offset.gguf", "a tensor offset moved by one byte", "GGUF_MISALIGNED", setU64(gguf, offsetAt, offset + 1n));
file("gguf-offset-out-of-range.gguf", "a tensor offset far past the end", "GGUF_OFFSET_OUT_OF_RANGE", setU64(gguf, offsetAt, 1n << 32n));

file("rft-clean.rft", "none: the undamaged micro model", "OK", rft);
file("rft-wrong-magic.rft", "magic RFT1 replaced by RFT9", "NATIVE_BAD_MAGIC", Uint8Array.from([...new TextEncoder().encode("RFT9"), ...rft.subarray(4)]));
file("rft-truncated.rft", "file cut inside the data section", "NATIVE_OFFSET_OUT_OF_RANGE", rft.subarray(0, rft.length - 100));
file("rft-giant-header.rft", "header length field 2^50", "NATIVE_HEADER_TOO_LARGE", setU64(rft, 8, 1n << 50n));
const flipped = Uint8Array.from(rft);
flipped[flipped.length - 9] ^= 0x10; // one bit of the last tensor's data
file("rft-bit-flipped.rft", "one bit of a tensor's data flipped", "NATIVE_CHECKSUM_MISMATCH", flipped);
const version1 = Uint8Array.from(rft);
new DataView(version1.buffer).setUint32(4, 1, true);
file("rft-version-1.rft", "version 1, which carries no checksums", "NATIVE_BAD_VERSION", version1);

write("corpus.json", JSON.stringify({ generator: "test/hostile/make-corpus.ts", entries }, null, 2) + "\n");
console.log(`wrote ${entries.length} corpus entries to ${OUT}`);
