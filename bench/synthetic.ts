// Synthetic random-weight models with the real shapes of the seed roster (SmolLM-135M,
// Qwen2-0.5B, TinyLlama-1.1B) and of Qwen2-1.5B (head_dim 128), written as GGUF through the engine's own exporter. Speed does not depend on
// weight values, so these stand in for checkpoints the project cannot download. They are
// not for correctness claims: their outputs mean nothing.
//
// Weights: uniform with standard deviation 0.02 (the Hugging Face init), norm weights 1,
// biases 0, from a seeded PRNG per tensor name, so a shape, seed and quantization always give
// the same file. The tokenizer is the zoo model's of the same family; ids past its vocabulary
// are exported as unused padding tokens.

import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, REPO_ROOT, ZOO_DIR, type ModelSource } from "../engine/load.ts";
import { writeGgufFile } from "../engine/formats/gguf/file.ts";
import { architectureFromHfConfig } from "../engine/model/config.ts";
import { expectedShapes } from "../engine/model/contract.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import { quantizeSource, type Quantization } from "../engine/model/quantize.ts";
import { float32Bytes, type Tensor } from "../engine/tensor.ts";
import { mulberry32 } from "../core/mulberry32.ts";

export interface SyntheticShape {
  slug: string; // "smollm-135m-shape"
  like: string; // the checkpoint whose shape it has
  zooTokenizer: string; // zoo model whose tokenizer.json is used
  config: Record<string, unknown>; // a Hugging Face config.json
}

// From the checkpoints' own config.json files.
export const SYNTHETIC_SHAPES: Record<string, SyntheticShape> = {
  "smollm-135m-shape": {
    slug: "smollm-135m-shape",
    like: "HuggingFaceTB/SmolLM-135M",
    zooTokenizer: "tiny-llama",
    config: {
      model_type: "llama",
      architectures: ["LlamaForCausalLM"],
      vocab_size: 49152,
      hidden_size: 576,
      intermediate_size: 1536,
      num_hidden_layers: 30,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      max_position_embeddings: 2048,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: true,
      bos_token_id: 0,
      eos_token_id: 0,
    },
  },
  "qwen2-0.5b-shape": {
    slug: "qwen2-0.5b-shape",
    like: "Qwen/Qwen2-0.5B",
    zooTokenizer: "tiny-qwen2",
    config: {
      model_type: "qwen2",
      architectures: ["Qwen2ForCausalLM"],
      vocab_size: 151936,
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      max_position_embeddings: 32768,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      tie_word_embeddings: true,
      bos_token_id: 151643,
      eos_token_id: 151643,
    },
  },
  "tinyllama-1.1b-shape": {
    slug: "tinyllama-1.1b-shape",
    like: "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
    zooTokenizer: "tiny-llama-spm",
    config: {
      model_type: "llama",
      architectures: ["LlamaForCausalLM"],
      vocab_size: 32000,
      hidden_size: 2048,
      intermediate_size: 5632,
      num_hidden_layers: 22,
      num_attention_heads: 32,
      num_key_value_heads: 4,
      max_position_embeddings: 2048,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: false,
      bos_token_id: 1,
      eos_token_id: 2,
    },
  },
  // head_dim 1536 / 12 = 128: the one shape here whose heads hold a KV group of 128 (claims/kv.yaml).
  "qwen2-1.5b-shape": {
    slug: "qwen2-1.5b-shape",
    like: "Qwen/Qwen2-1.5B",
    zooTokenizer: "tiny-qwen2",
    config: {
      model_type: "qwen2",
      architectures: ["Qwen2ForCausalLM"],
      vocab_size: 151936,
      hidden_size: 1536,
      intermediate_size: 8960,
      num_hidden_layers: 28,
      num_attention_heads: 12,
      num_key_value_heads: 2,
      max_position_embeddings: 131072,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      tie_word_embeddings: true,
      bos_token_id: 151643,
      eos_token_id: 151643,
    },
  },
};

// Bump when the generated weights or layout change, so cached files are not reused.
const GENERATOR_VERSION = 1;

function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function randomTensor(name: string, shape: number[], seed: number, std: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  const isNormWeight = shape.length === 1 && /norm\.weight$/.test(name);
  if (isNormWeight) values.fill(1);
  else if (shape.length === 2) {
    const next = mulberry32(hashString(name, seed));
    const half = std * Math.sqrt(3); // uniform on [-half, half] has standard deviation std
    for (let i = 0; i < n; i++) values[i] = (next() * 2 - 1) * half;
  } // biases and layer-norm biases stay 0
  return { name, dtype: "f32", shape, data: float32Bytes(values) };
}

export interface SyntheticOptions {
  seed?: number; // default 1
  std?: number; // standard deviation of matrix weights; default 0.02 (tests use larger, for less uniform outputs)
  config?: Record<string, unknown>; // overrides of the shape's config (tests use tiny dimensions)
}

/** The model in memory, f32, as an importer would give it. */
export function syntheticSource(shape: SyntheticShape, options: SyntheticOptions = {}): ModelSource {
  const config = { ...shape.config, ...options.config };
  const arch = architectureFromHfConfig(config, `${shape.slug}/config.json`);
  const tensors = new Map<string, Tensor>();
  for (const [name, dims] of expectedShapes(arch)) tensors.set(name, randomTensor(name, dims, options.seed ?? 1, options.std ?? 0.02));
  const tokenizerJson = readJsonFile(join(ZOO_DIR, shape.zooTokenizer, "tokenizer.json"));
  return { format: "safetensors", arch, config, tensors, tokenizerJson, chatTemplate: null, endTokenIds: [], files: [] };
}

export function syntheticGgufPath(slug: string, quant: Quantization, seed = 1, dir = join(REPO_ROOT, "models", "cache", "synthetic")): string {
  return join(dir, `${slug}-v${GENERATOR_VERSION}-s${seed}-${quant}.gguf`);
}

/**
 * The GGUF of a synthetic shape at a quantization, generated once and cached (under
 * models/cache/synthetic/, ignored by git). writeGgufFile writes it whole or not at all.
 */
export function ensureSyntheticGguf(slug: string, quant: Quantization, options: { seed?: number; dir?: string; log?: (line: string) => void } = {}): string {
  const shape = SYNTHETIC_SHAPES[slug];
  if (!shape) throw new Error(`unknown synthetic shape '${slug}'; known: ${Object.keys(SYNTHETIC_SHAPES).join(", ")}`);
  const seed = options.seed ?? 1;
  const path = syntheticGgufPath(slug, quant, seed, options.dir);
  if (existsSync(path) && statSync(path).size > 0) return path;
  options.log?.(`generating ${path} (random weights with ${shape.like}'s shape, ${quant})`);
  mkdirSync(join(path, ".."), { recursive: true });
  const source = quantizeSource(syntheticSource(shape, { seed }), quant);
  writeGgufFile(path, ggufFromSource(source, slug, quant));
  return path;
}
