// Hugging Face tensor names -> canonical names, per family. GPT-2's Conv1D weights are
// stored [in, out] and its attention is one fused c_attn [hidden, 3*hidden]; both are
// brought to the engine's [out, in] with q, k, v separate here.

import { RefuteError } from "../../core/errors.ts";
import { float32Bytes, type Tensor } from "../tensor.ts";
import { toFloat32 } from "./dequantize.ts";
import type { Architecture } from "./architecture.ts";
import { OUTPUT, OUTPUT_NORM, POSITION_EMBEDDING, TOKEN_EMBEDDING } from "./names.ts";

const LLAMA_LAYER: Record<string, string> = {
  "input_layernorm.weight": "attn_norm.weight",
  "self_attn.q_proj.weight": "attn_q.weight",
  "self_attn.q_proj.bias": "attn_q.bias",
  "self_attn.k_proj.weight": "attn_k.weight",
  "self_attn.k_proj.bias": "attn_k.bias",
  "self_attn.v_proj.weight": "attn_v.weight",
  "self_attn.v_proj.bias": "attn_v.bias",
  "self_attn.o_proj.weight": "attn_output.weight",
  "post_attention_layernorm.weight": "ffn_norm.weight",
  "mlp.gate_proj.weight": "ffn_gate.weight",
  "mlp.up_proj.weight": "ffn_up.weight",
  "mlp.down_proj.weight": "ffn_down.weight",
};

const LLAMA_GLOBAL: Record<string, string> = {
  "model.embed_tokens.weight": TOKEN_EMBEDDING,
  "model.norm.weight": `${OUTPUT_NORM}.weight`,
  "lm_head.weight": OUTPUT,
};

// Conv1D layers ([in, out] on disk) are marked with transpose: true.
const GPT2_LAYER: Record<string, { name: string; transpose?: boolean }> = {
  "ln_1.weight": { name: "attn_norm.weight" },
  "ln_1.bias": { name: "attn_norm.bias" },
  "attn.c_proj.weight": { name: "attn_output.weight", transpose: true },
  "attn.c_proj.bias": { name: "attn_output.bias" },
  "ln_2.weight": { name: "ffn_norm.weight" },
  "ln_2.bias": { name: "ffn_norm.bias" },
  "mlp.c_fc.weight": { name: "ffn_up.weight", transpose: true },
  "mlp.c_fc.bias": { name: "ffn_up.bias" },
  "mlp.c_proj.weight": { name: "ffn_down.weight", transpose: true },
  "mlp.c_proj.bias": { name: "ffn_down.bias" },
};

const GPT2_GLOBAL: Record<string, string> = {
  "wte.weight": TOKEN_EMBEDDING,
  "wpe.weight": POSITION_EMBEDDING,
  "ln_f.weight": `${OUTPUT_NORM}.weight`,
  "ln_f.bias": `${OUTPUT_NORM}.bias`,
};

// Buffers some checkpoints carry that are not weights.
const IGNORED = [/\.rotary_emb\.inv_freq$/, /\.attn\.bias$/, /\.attn\.masked_bias$/];

export interface ImportOptions {
  /** Fault injection: keep Conv1D weights in their [in, out] layout. */
  skipConv1dTranspose?: boolean;
}

function renamed(t: Tensor, name: string): Tensor {
  return { ...t, name };
}

function unknownTensor(name: string): never {
  throw new RefuteError("HF_UNKNOWN_TENSOR", `tensor ${name} is not a known weight of this architecture`, { tensor: name });
}

export function transpose2d(t: Tensor, name: string): Tensor {
  const [rows, cols] = t.shape;
  const src = toFloat32(t);
  const dst = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  return { name, dtype: "f32", shape: [cols, rows], data: float32Bytes(dst) };
}

function mapLlama(tensors: Tensor[]): Tensor[] {
  const out: Tensor[] = [];
  for (const t of tensors) {
    if (IGNORED.some((re) => re.test(t.name))) continue;
    const global = LLAMA_GLOBAL[t.name];
    if (global) {
      out.push(renamed(t, global));
      continue;
    }
    const m = /^model\.layers\.(\d+)\.(.+)$/.exec(t.name);
    const role = m && LLAMA_LAYER[m[2]];
    if (!m || !role) unknownTensor(t.name);
    out.push(renamed(t, `blk.${m[1]}.${role}`));
  }
  return out;
}

/** Splits GPT-2's fused c_attn ([hidden, 3*hidden] weight, [3*hidden] bias) into q, k, v. */
function splitQkv(t: Tensor, layer: string, options: ImportOptions): Tensor[] {
  const isWeight = t.name.endsWith(".weight");
  const fused = isWeight && !options.skipConv1dTranspose ? transpose2d(t, t.name) : t;
  const values = toFloat32(fused);
  const parts = ["attn_q", "attn_k", "attn_v"];
  if (!isWeight) {
    const n = values.length / 3;
    return parts.map((p, i) => ({ name: `blk.${layer}.${p}.bias`, dtype: "f32", shape: [n], data: float32Bytes(values.slice(i * n, (i + 1) * n)) }));
  }
  const [rows, cols] = fused.shape; // [3*hidden, hidden] once transposed
  const n = rows / 3;
  return parts.map((p, i) => ({
    name: `blk.${layer}.${p}.weight`,
    dtype: "f32",
    shape: [n, cols],
    data: float32Bytes(values.slice(i * n * cols, (i + 1) * n * cols)),
  }));
}

function mapGpt2(tensors: Tensor[], options: ImportOptions): Tensor[] {
  const out: Tensor[] = [];
  for (const t of tensors) {
    const name = t.name.startsWith("transformer.") ? t.name.slice("transformer.".length) : t.name;
    if (IGNORED.some((re) => re.test(name))) continue;
    if (name === "lm_head.weight") {
      out.push(renamed(t, OUTPUT));
      continue;
    }
    const global = GPT2_GLOBAL[name];
    if (global) {
      out.push(renamed(t, global));
      continue;
    }
    const m = /^h\.(\d+)\.(.+)$/.exec(name);
    if (!m) unknownTensor(t.name);
    if (m[2] === "attn.c_attn.weight" || m[2] === "attn.c_attn.bias") {
      out.push(...splitQkv(t, m[1], options));
      continue;
    }
    const target = GPT2_LAYER[m[2]];
    if (!target) unknownTensor(t.name);
    const canonical = `blk.${m[1]}.${target.name}`;
    out.push(target.transpose && !options.skipConv1dTranspose ? transpose2d(t, canonical) : renamed(t, canonical));
  }
  return out;
}

/** Canonical tensors from a Hugging Face checkpoint's tensors. A tied head saved anyway is dropped. */
export function canonicalFromHf(arch: Architecture, tensors: Tensor[], options: ImportOptions = {}): Map<string, Tensor> {
  const mapped = arch.family === "gpt2" ? mapGpt2(tensors, options) : mapLlama(tensors);
  const byName = new Map<string, Tensor>();
  for (const t of mapped) byName.set(t.name, t);
  if (arch.tiedEmbeddings) byName.delete(OUTPUT);
  return byName;
}
