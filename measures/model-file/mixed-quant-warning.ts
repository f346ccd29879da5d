// F-GT-002: comparing two quantization levels side by side carries a warning (the differences
// then include quantization error, not only conversion bugs); comparing one level with itself
// does not.

import type { FileForm, ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";

const Q8: FileForm = { format: "native", quant: "q8_0" };
const Q4: FileForm = { format: "native", quant: "q4_0" };

export async function mixedQuantWarning(tool: ModelFileTool): Promise<ProbeResult> {
  const violations: string[] = [];
  if (!(await tool.mixedQuantWarning(Q8, Q4))) violations.push("q8_0 vs q4_0 compared without a mixed-quantization warning");
  if (await tool.mixedQuantWarning(Q8, Q8)) violations.push("q8_0 vs q8_0 warned of mixed quantization");
  return { checked: 2, violations };
}
