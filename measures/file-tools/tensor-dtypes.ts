// tensors (the seed's check-tensors): the file holds as many tensors as the family's
// definition implies (tensor-roles.ts) and each has the dtype its quantization level implies:
// vectors (norms, biases) and GPT-2's position table f32, the token embedding and the head at
// the claim's `embedding` / `head` dtype in a quantized mix, every other matrix at the
// subject's quantization (a q4_k matrix whose rows do not fill 256-value super-blocks falls
// back to q4_0). At f32 everything is f32.

import { blockTensorSets, globalTensors, roleOf, type TensorRole } from "./tensor-roles.ts";
import { expectedArchitecture, modelDirectory } from "./hf-config.ts";
import { answerOrRefusal, type FileToolParams, type FileToolProbe } from "./probe.ts";

/** The dtype a tensor of `role` has in a file at `quant`; `inner`: its row length (a q4_k row must fill 256-value super-blocks). */
function expectedDtype(role: TensorRole, quant: string, inner: number, params: FileToolParams): string {
  const unquantized = quant === "f32" || quant === "bf16";
  if (role === "vector" || role === "position") return "f32";
  if (unquantized) return role === "matrix" ? quant : "f32";
  if (role === "embedding") return params.embedding ?? "q8_0";
  if (role === "head") return params.head ?? "q8_0";
  return quant === "q4_k" && inner % 256 !== 0 ? "q4_0" : quant;
}

export const tensorDtypes: FileToolProbe = async (tools, subject, params) => {
  const expected = expectedArchitecture(modelDirectory(subject));
  const sets = blockTensorSets(expected.family);
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const rows = await answerOrRefusal(() => tools.tensors(file.path), violations, `tensors ${file.path}`);
  if (!rows) return { checked: 1, violations };
  const counts = (sets ?? []).map((set) => set.length * expected.layers + globalTensors(expected).length);
  if (counts.length > 0 && !counts.includes(rows.length)) violations.push(`tensors lists ${rows.length} tensors; a ${expected.family} of ${expected.layers} layers has ${counts.join(" or ")}`);
  const quant = subject.quant;
  for (const row of rows) {
    const role = roleOf(row.name, row.shape);
    const want = expectedDtype(role, quant, row.shape[row.shape.length - 1], params);
    if (row.dtype !== want) violations.push(`${row.name} (${role}, [${row.shape.join(", ")}]): ${row.dtype}; a ${quant} file gives it ${want}`);
  }
  return { checked: rows.length, violations };
};
