// F-LAYOUT-002: GGUF lists a tensor's dims innermost first (ggml's ne[]), the reverse of the
// tool's row-major [out, in]. The export must write every tensor so, and importing the GGUF
// must give back exactly the shapes it was exported from.

import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";
import { GGUF_F32, NATIVE_F32 } from "./forms.ts";

/** The shape of what a GGUF tensor stands for: itself, or for GPT-2's fused attn_qkv, the q, k and v rows stacked. */
function shapeStoodFor(ggufName: string, shapes: ReadonlyMap<string, number[]>): number[] | null {
  const fused = /^(blk\.\d+)\.attn_qkv\.(weight|bias)$/.exec(ggufName);
  if (!fused) return shapes.get(ggufName) ?? null;
  const parts = ["q", "k", "v"].map((p) => shapes.get(`${fused[1]}.attn_${p}.${fused[2]}`) ?? [0]);
  return [parts.reduce((n, p) => n + p[0], 0), ...parts[0].slice(1)];
}

export async function ggufDimsReversed(tool: ModelFileTool): Promise<ProbeResult> {
  const native = await tool.tensors(NATIVE_F32);
  const shapes = new Map(native.map((t) => [t.name, t.shape]));
  const file = await tool.ggufTensors(NATIVE_F32.quant);
  const violations: string[] = [];
  for (const t of file) {
    const shape = shapeStoodFor(t.name, shapes);
    if (!shape) violations.push(`${t.name}: no engine tensor it stands for`);
    else if (t.dims.join() !== [...shape].reverse().join()) violations.push(`${t.name}: GGUF dims [${t.dims}] are not the reverse of the engine's [${shape}]`);
  }
  const back = new Map((await tool.tensors(GGUF_F32)).map((t) => [t.name, t.shape]));
  for (const t of native) {
    const shape = back.get(t.name);
    if (!shape || shape.join() !== t.shape.join()) violations.push(`${t.name}: reimported shape [${shape}] is not [${t.shape}]`);
  }
  return { checked: file.length + native.length, violations };
}
