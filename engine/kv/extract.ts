// The KV cache a model builds over a prompt, as a KvTensors in the file layout: the session's
// cache [seq, kv_heads * head_dim] per layer, transposed to [kv_heads, seq, head_dim].
// Keys are stored after RoPE, as attention reads them (Hugging Face's DynamicCache does the same).

import { RefuteError } from "../../core/errors.ts";
import type { EngineModel } from "../model.ts";
import type { KvTensors } from "./file.ts";
import type { KvQuantOptions } from "./quantize.ts";

/** Runs `tokens` through a fresh session (with the given KV option, float32 by default) and returns its cache. */
export function extractKvCache(model: EngineModel, tokens: number[], modelName: string, kv: KvQuantOptions | null = null): KvTensors {
  const { layers, kvHeads, headDim, maxPositions } = model.arch;
  const n = tokens.length;
  if (n === 0) throw new RefuteError("EMPTY_PROMPT", "the prompt encodes to no tokens: there is no cache to extract", {});
  if (n > maxPositions) {
    throw new RefuteError("CONTEXT_FULL", `the prompt has ${n} tokens, the model ${maxPositions} positions`, { expected: maxPositions, found: n });
  }
  const session = model.session(n, kv);
  session.beginCall(n);
  session.forward(tokens, n, () => {});
  const width = kvHeads * headDim;
  const transpose = (cache: Float32Array): Float32Array => {
    const out = new Float32Array(n * width);
    for (let h = 0; h < kvHeads; h++) {
      for (let s = 0; s < n; s++) out.set(cache.subarray(s * width + h * headDim, s * width + (h + 1) * headDim), (h * n + s) * headDim);
    }
    return out;
  };
  const keys: Float32Array[] = [];
  const values: Float32Array[] = [];
  for (let l = 0; l < layers; l++) {
    keys.push(transpose(session.cache.keys(l, n)));
    values.push(transpose(session.cache.values(l, n)));
  }
  session.dispose();
  return { metadata: { num_layers: layers, num_kv_heads: kvHeads, seq_len: n, head_dim: headDim, dtype: "float32", model: modelName }, keys, values };
}
