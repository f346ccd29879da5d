// GPT-2's Conv1D contract (seed issue #241): GPT-2 stores its Conv1D weights [in, out], unlike
// nn.Linear's [out, in], so inside the tool each must be exactly the transpose of the
// checkpoint's tensor. The expectation is the file's own values, transposed here. Checked
// for the three Conv1D weights of every layer that map to one tensor each (c_attn, fused q/k/v,
// is split at load and has no single counterpart).

import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";
import { SAFETENSORS_F32 } from "./forms.ts";

/** Hugging Face GPT-2's Conv1D weights of layer N (h.N.<name>.weight) and the engine's names for them (blk.N.<name>.weight). */
const CONV1D = [
  ["attn.c_proj", "attn_output"],
  ["mlp.c_fc", "ffn_up"],
  ["mlp.c_proj", "ffn_down"],
] as const;

/** x: [rows, cols] row-major, as [cols, rows]. */
function transposed(x: Float32Array, [rows, cols]: number[]): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

const equal = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

export async function conv1dTransposed(tool: ModelFileTool): Promise<ProbeResult> {
  // GPT2LMHeadModel checkpoints name them transformer.h.N...; GPT2Model ones h.N...
  const onDisk = new Map((await tool.checkpointTensors()).map((t) => [t.name.replace(/^transformer\./, ""), t.name]));
  const error = await tool.loadError(SAFETENSORS_F32);
  if (error) return { checked: 1, violations: [`the GPT-2 checkpoint does not load: ${error.message} [${error.code}]`] };
  const layers = new Set([...onDisk.keys()].flatMap((name) => /^h\.(\d+)\./.exec(name)?.[1] ?? [])).size;
  const violations: string[] = [];
  for (let l = 0; l < layers; l++) {
    for (const [hf, engine] of CONV1D) {
      const [file, inside] = [`h.${l}.${hf}.weight`, `blk.${l}.${engine}.weight`];
      const disk = await tool.checkpointTensor(onDisk.get(file) ?? file);
      const found = await tool.tensor(SAFETENSORS_F32, inside);
      if (!equal(transposed(disk.values, disk.shape), found.values)) violations.push(`${inside} is not the transpose of ${file}`);
    }
  }
  return { checked: layers * CONV1D.length, violations };
}
