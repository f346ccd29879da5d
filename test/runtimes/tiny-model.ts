// Tiny random-weight models for the runtime tests, written as GGUF by the engine's exporter
// into a temporary directory: the zoo's tokenizers, a few thousand parameters, seconds to
// make. Weights have a large spread so greedy outputs are not one repeated token.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNTHETIC_SHAPES, syntheticSource } from "../../bench/synthetic.ts";
import { writeGgufFile } from "../../engine/formats/gguf/file.ts";
import { ggufFromSource } from "../../engine/model/gguf-export.ts";
import { quantizeSource, type Quantization } from "../../engine/model/quantize.ts";

const TINY: Record<"llama" | "qwen2", { shape: string; config: Record<string, unknown> }> = {
  llama: {
    shape: "smollm-135m-shape",
    config: { vocab_size: 1024, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 512 },
  },
  qwen2: {
    shape: "qwen2-0.5b-shape",
    config: { vocab_size: 1024, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1, max_position_embeddings: 512, bos_token_id: 0, eos_token_id: 0 },
  },
};

let dir: string | null = null;
const made = new Map<string, string>();

/** The path of a tiny random GGUF of the family at the quantization (made once per test process). */
export function tinyGguf(family: "llama" | "qwen2" = "llama", quant: Quantization = "f32", config: Record<string, unknown> = {}): string {
  const key = `${family}-${quant}` + (Object.keys(config).length ? `-${Buffer.from(JSON.stringify(config)).toString("hex")}` : "");
  let path = made.get(key);
  if (!path) {
    dir ??= mkdtempSync(join(tmpdir(), "refute-runtimes-"));
    const tiny = TINY[family];
    const source = quantizeSource(syntheticSource(SYNTHETIC_SHAPES[tiny.shape], { std: 0.25, config: { ...tiny.config, ...config }, seed: 7 }), quant);
    path = join(dir, `tiny-${key}.gguf`);
    writeGgufFile(path, ggufFromSource(source, `tiny-${family}`, quant));
    made.set(key, path);
  }
  return path;
}
