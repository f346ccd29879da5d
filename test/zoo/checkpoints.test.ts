// The zoo checkpoints are laid out as Hugging Face writes them: SafeTensors headers (8-byte
// length, compact JSON, "__metadata__": {"format": "pt"}, padded with spaces to 8 bytes,
// tensors contiguous in name order), exactly the tensor names and shapes of the architecture
// (GPT-2's Conv1D weights stored [in, out]; tied lm_head absent), F32 or BF16 as configured,
// and for the sharded model an index whose total_size and weight_map match the shards.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZOO_SLUGS, readJson, repoPath } from "./paths.ts";

type Shape = number[];
interface TensorInfo {
  dtype: string;
  shape: Shape;
  data_offsets: [number, number];
}

function readHeader(path: string): { tensors: Record<string, TensorInfo>; metadata: unknown; order: string[] } {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  expect(n % 8, `${path}: header length ${n} is a multiple of 8`).toBe(0);
  const text = buf.subarray(8, 8 + n).toString("utf8");
  expect(/^\{.*\} *$/s.test(text), `${path}: compact JSON padded with spaces`).toBe(true);
  const header = JSON.parse(text) as Record<string, unknown>;
  const { __metadata__: metadata, ...tensors } = header;
  const order = Object.keys(tensors);
  let offset = 0;
  for (const name of order) {
    const t = tensors[name] as TensorInfo;
    expect(t.data_offsets[0], `${name} starts where the previous tensor ends`).toBe(offset);
    offset = t.data_offsets[1];
  }
  expect(8 + n + offset, `${path}: file ends after the last tensor`).toBe(buf.length);
  return { tensors: tensors as Record<string, TensorInfo>, metadata, order };
}

/** The config.json fields these tests read (a Hugging Face config, of either naming). */
interface HfConfig {
  architectures: string[];
  model_type: string;
  torch_dtype: string;
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  n_embd: number;
  n_layer: number;
  n_positions: number;
  tie_word_embeddings: boolean;
  bos_token_id: number;
  eos_token_id: number;
}

// name -> shape, from config.json alone, as transformers names and shapes the tensors
function expectedTensors(cfg: HfConfig): Record<string, Shape> {
  const out: Record<string, Shape> = {};
  if (cfg.model_type === "gpt2") {
    const C = cfg.n_embd;
    out["transformer.wte.weight"] = [cfg.vocab_size, C];
    out["transformer.wpe.weight"] = [cfg.n_positions, C];
    for (let i = 0; i < cfg.n_layer; i++) {
      const p = `transformer.h.${i}.`;
      Object.assign(out, {
        [`${p}ln_1.weight`]: [C], [`${p}ln_1.bias`]: [C],
        [`${p}attn.c_attn.weight`]: [C, 3 * C], [`${p}attn.c_attn.bias`]: [3 * C],
        [`${p}attn.c_proj.weight`]: [C, C], [`${p}attn.c_proj.bias`]: [C],
        [`${p}ln_2.weight`]: [C], [`${p}ln_2.bias`]: [C],
        [`${p}mlp.c_fc.weight`]: [C, 4 * C], [`${p}mlp.c_fc.bias`]: [4 * C],
        [`${p}mlp.c_proj.weight`]: [4 * C, C], [`${p}mlp.c_proj.bias`]: [C],
      });
    }
    out["transformer.ln_f.weight"] = [C];
    out["transformer.ln_f.bias"] = [C];
    return out;
  }
  const C = cfg.hidden_size;
  const D = C / cfg.num_attention_heads;
  const KV = cfg.num_key_value_heads * D;
  const I = cfg.intermediate_size;
  out["model.embed_tokens.weight"] = [cfg.vocab_size, C];
  for (let i = 0; i < cfg.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`;
    Object.assign(out, {
      [`${p}input_layernorm.weight`]: [C], [`${p}post_attention_layernorm.weight`]: [C],
      [`${p}self_attn.q_proj.weight`]: [C, C], [`${p}self_attn.k_proj.weight`]: [KV, C],
      [`${p}self_attn.v_proj.weight`]: [KV, C], [`${p}self_attn.o_proj.weight`]: [C, C],
      [`${p}mlp.gate_proj.weight`]: [I, C], [`${p}mlp.up_proj.weight`]: [I, C], [`${p}mlp.down_proj.weight`]: [C, I],
    });
    if (cfg.model_type === "qwen2") {
      Object.assign(out, { [`${p}self_attn.q_proj.bias`]: [C], [`${p}self_attn.k_proj.bias`]: [KV], [`${p}self_attn.v_proj.bias`]: [KV] });
    }
  }
  out["model.norm.weight"] = [C];
  if (!cfg.tie_word_embeddings) out["lm_head.weight"] = [cfg.vocab_size, C];
  return out;
}

const DTYPE = { float32: "F32", bfloat16: "BF16" } as Record<string, string>;
const BYTES = { F32: 4, BF16: 2 } as Record<string, number>;

describe.each(ZOO_SLUGS)("%s checkpoint", (slug) => {
  const dir = `models/zoo/${slug}`;
  const cfg = readJson<HfConfig>(`${dir}/config.json`);
  const spm = slug === "tiny-llama-spm";

  it("has the config keys of its transformers class and generation_config", () => {
    expect(cfg.vocab_size).toBe(1024);
    expect([cfg.bos_token_id, cfg.eos_token_id]).toEqual(spm ? [1, 2] : [0, 0]);
    const arch = { "tiny-llama": "LlamaForCausalLM", "tiny-llama-rope-dynamic": "LlamaForCausalLM", "tiny-llama-rope-scaled": "LlamaForCausalLM", "tiny-llama-spm": "LlamaForCausalLM", "tiny-qwen2": "Qwen2ForCausalLM", "tiny-gpt2": "GPT2LMHeadModel" }[slug];
    expect(cfg.architectures).toEqual([arch]);
    const gen = readJson<Record<string, unknown>>(`${dir}/generation_config.json`);
    // ChatML models end a turn with <|im_end|> (2) and a document with <|endoftext|> (0);
    // GPT-2 has only <|endoftext|>; the SentencePiece llama has <s> 1 and </s> 2
    const ends = { "tiny-gpt2": 0, "tiny-llama-spm": 2 }[slug] ?? [2, 0];
    expect(gen).toMatchObject({ bos_token_id: spm ? 1 : 0, eos_token_id: ends, do_sample: false });
  });

  it("holds exactly the architecture's tensors, shapes and dtype", () => {
    const sharded = cfg.torch_dtype === "bfloat16";
    const files = sharded
      ? ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
      : ["model.safetensors"];
    const found: Record<string, Shape> = {};
    const fileOf: Record<string, string> = {};
    let total = 0;
    for (const file of files) {
      const { tensors, metadata, order } = readHeader(repoPath(`${dir}/${file}`));
      expect(metadata).toEqual({ format: "pt" });
      expect(order).toEqual([...order].sort());
      for (const [name, t] of Object.entries(tensors)) {
        expect(t.dtype, name).toBe(DTYPE[cfg.torch_dtype]);
        found[name] = t.shape;
        fileOf[name] = file;
        total += t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
      }
    }
    expect(found).toEqual(expectedTensors(cfg));
    if (sharded) {
      const index = readJson<{ metadata: { total_size: number }; weight_map: Record<string, string> }>(
        `${dir}/model.safetensors.index.json`,
      );
      expect(index.metadata.total_size).toBe(total);
      expect(index.weight_map).toEqual(fileOf);
    }
  });
});
