// F-LAYOUT-003/004/005: the load contract accepts the model as it is and stops a weight
// matrix handed over as [in, out] and a token embedding handed over as [hidden, vocab], each
// with its own error, so a layout bug never runs.
//
// The tensors transposed are named as the engine names them in every family (GGUF's names):
// the first layer's FFN up projection, [ffn, hidden], which is not square wherever the FFN
// is wider than the model (every zoo and real model), so its transpose cannot pass for it;
// and the token embedding, [vocab, hidden].

import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";
import { SAFETENSORS_F32 } from "./forms.ts";

const MATRIX = "blk.0.ffn_up.weight";
const EMBEDDING = "token_embd.weight";

export async function loadContract(tool: ModelFileTool): Promise<ProbeResult> {
  const violations: string[] = [];
  const clean = await tool.loadError(SAFETENSORS_F32);
  if (clean) violations.push(`the model itself fails its contract: ${clean.code}`);
  const matrix = await tool.loadError(SAFETENSORS_F32, MATRIX);
  if (matrix?.code !== "LAYOUT_WEIGHT_SHAPE") violations.push(`ffn_up given as [in, out] gave ${matrix?.code ?? "no error"}, expected LAYOUT_WEIGHT_SHAPE`);
  const embedding = await tool.loadError(SAFETENSORS_F32, EMBEDDING);
  if (embedding?.code !== "LAYOUT_EMBEDDING_SHAPE") violations.push(`token_embd given as [hidden, vocab] gave ${embedding?.code ?? "no error"}, expected LAYOUT_EMBEDDING_SHAPE`);
  return { checked: 3, violations };
}
