// F-LAYOUT-006: `refute diff` reports a tensor stored transposed as transposed, and no other
// tensor, with no difference left once the transpose is undone. The tensor is the first
// layer's attention output projection, named as the engine names it in every family: it is
// square ([hidden, hidden]), so only its values can tell the diff it was transposed.

import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";
import { SAFETENSORS_F32 } from "./forms.ts";

const TRANSPOSED = "blk.0.attn_output.weight";

export async function diffTransposed(tool: ModelFileTool): Promise<ProbeResult> {
  const diffs = await tool.diffTransposed(SAFETENSORS_F32, TRANSPOSED);
  const flagged = diffs.filter((d) => d.transposed).map((d) => d.name);
  const violations: string[] = [];
  if (flagged.join() !== TRANSPOSED) violations.push(`transposed tensors reported: [${flagged}], expected [${TRANSPOSED}]`);
  const differing = diffs.filter((d) => d.maxAbsDiff !== 0).map((d) => d.name);
  if (differing.length) violations.push(`tensors with a difference after undoing the transpose: [${differing}]`);
  return { checked: diffs.length, violations };
}
