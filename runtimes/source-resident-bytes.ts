// How much of the kernels' memory a model of any source takes, told before it is loaded, so
// that the CLI's commands choose the backend's memory as the gates do after loading
// (embedded.ts): a GGUF file by its header (resident-bytes.ts: the file and float32 copies of its
// F16 and BF16 tensors; with --quant, its tensors as the type quantize.ts gives each, since the
// quantized copy is what the memory then holds); a Hugging Face directory (or a
// zoo slug) by its safetensors headers, every value becoming a float32 in the memory (4 bytes,
// whatever the file's dtype: a 2.2 GB BF16 TinyLlama takes 4.4 GB, past a 32-bit memory), or
// taking the type --quant gives its tensor where one is given (model/quantize.ts: the embedding
// and head, told by config.json's vocab_size, in Q8_0, GPT-2's positions in f32); any other file by its size (a .rft of
// F16 values counts half its float32 bytes). An estimate only: a header that cannot be read
// counts as its file's size, and loading then says what is wrong.

import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { readGgufHeaderFile } from "../engine/formats/gguf/file.ts";
import { MAX_HEADER_BYTES } from "../engine/formats/safetensors/header.ts";
import { safeTensorsFiles } from "../engine/formats/safetensors/read.ts";
import { resolveModelPath } from "../engine/load.ts";
import { POSITION_EMBEDDING, TOKEN_EMBEDDING } from "../engine/model/names.ts";
import { type Quantization, tensorTypeFor } from "../engine/model/quantize.ts";
import { quantType } from "../engine/quant/types.ts";
import { residentBytes } from "./resident-bytes.ts";

/** A tensor a safetensors header declares: its name and its shape as the file writes it ([out, in] for a weight). */
export interface DeclaredTensor {
  name: string;
  shape: number[];
}

/** The tensors a safetensors file declares; null where its header cannot be read. */
export function safeTensorsDeclared(file: string): DeclaredTensor[] | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const prefix = Buffer.alloc(8);
    if (readSync(fd, prefix, 0, 8, 0) < 8) return null;
    const length = Number(prefix.readBigUInt64LE(0));
    // a header the reader would refuse (past 100 MiB, or past the file) is not read
    if (length > MAX_HEADER_BYTES || length > statSync(file).size - 8) return null;
    const text = Buffer.alloc(length);
    if (readSync(fd, text, 0, length, 8) < length) return null;
    const header: unknown = JSON.parse(text.toString("utf8"));
    if (header === null || typeof header !== "object") return null;
    const declared: DeclaredTensor[] = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const shape = (entry as { shape?: unknown } | null)?.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return null;
      declared.push({ name, shape: shape as number[] });
    }
    return declared;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** config.json's vocab_size (or its text_config's); null where it has none. */
function vocabSize(dir: string): number | null {
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { vocab_size?: unknown; text_config?: { vocab_size?: unknown } } | null;
    const size = config?.vocab_size ?? config?.text_config?.vocab_size;
    return Number.isSafeInteger(size) ? (size as number) : null;
  } catch {
    return null;
  }
}

/** GPT-2's learned positions (transformer.wpe.weight), which quantizing keeps in f32. */
const POSITIONS = /(^|\.)wpe\.weight$/;

/** Bytes of `shape` in the memory as the engine tensor `role` (its name, where known), float32 or the type --quant gives it. */
function bytesAs(role: string, shape: readonly number[], quant: string | undefined): number {
  const values = shape.reduce((a, b) => a * b, 1);
  const type = quantType(quant === undefined ? "f32" : tensorTypeFor(role, shape, quant as Quantization));
  return Math.ceil(values / type.blockSize) * type.bytesPerBlock;
}

/** A Hugging Face tensor's bytes: vectors and GPT-2's positions stay f32; a matrix of `vocab` rows is the embedding or head, Q8_0. */
function hfTensorBytes({ name, shape }: DeclaredTensor, quant: string | undefined, vocab: number | null): number {
  const role = POSITIONS.test(name) ? POSITION_EMBEDDING : shape.length === 2 && shape[0] === vocab ? TOKEN_EMBEDDING : "";
  return bytesAs(role, shape, quant);
}

/** A GGUF file quantized as `quant`: its tensors, named as the engine names them (llama.cpp's names), each as the type quantize.ts gives it; its resident bytes where its header cannot be read. */
function quantizedGgufBytes(file: string, quant: string): number {
  try {
    const { header } = readGgufHeaderFile(file);
    return header.infos.reduce((n, info) => n + bytesAs(info.name, [...info.dims].reverse(), quant), 0);
  } catch {
    return residentBytes(file);
  }
}

/** The bytes of the kernels' memory `model` (a path or a zoo slug) takes once built, with `quant` applied where given; 0 where it cannot be told. */
export function sourceResidentBytes(model: string, quant?: string): number {
  let path: string;
  try {
    path = resolveModelPath(model);
  } catch {
    return 0;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    if (!path.toLowerCase().endsWith(".gguf")) return stat.size;
    return quant === undefined ? residentBytes(path) : quantizedGgufBytes(path, quant);
  }
  let files: string[];
  try {
    files = safeTensorsFiles(path);
  } catch {
    return 0;
  }
  const vocab = vocabSize(path);
  let bytes = 0;
  for (const file of files) {
    const declared = safeTensorsDeclared(file);
    bytes += declared === null ? fileSize(file) : declared.reduce((n, t) => n + hfTensorBytes(t, quant, vocab), 0);
  }
  return bytes;
}
