// diff (the seed's check-diff and check-rosetta-diff): `diff` of the subject's file and the
// same model converted at `against` (default q8_0) reports the same tensors on both sides with
// the same shapes, none transposed, and dtypes that differ only on the matrices the two
// quantization levels store differently: at least one does, vectors never do.

import { roleOf } from "./tensor-roles.ts";
import { answerOrRefusal, type FileToolProbe } from "./probe.ts";

export const diffDtypeOnly: FileToolProbe = async (tools, subject, params) => {
  const against = params.against ?? "q8_0";
  const a = await tools.modelFile(subject.format, subject.quant);
  const b = await tools.modelFile(subject.format, against);
  const violations: string[] = [];
  const rows = await answerOrRefusal(() => tools.diff(a.path, b.path), violations, `diff ${a.path} ${b.path}`);
  if (!rows) return { checked: 1, violations };
  let differing = 0;
  for (const row of rows) {
    if (row.shapeA === null || row.shapeB === null) {
      violations.push(`${row.name}: only in the ${row.shapeA === null ? against : subject.quant} file`);
      continue;
    }
    if (row.shapeA.join(",") !== row.shapeB.join(",")) violations.push(`${row.name}: shape [${row.shapeA}] vs [${row.shapeB}]`);
    if (row.transposed) violations.push(`${row.name}: reported transposed`);
    if (row.dtypeA !== row.dtypeB) {
      differing += 1;
      if (roleOf(row.name, row.shapeA) === "vector") violations.push(`${row.name}: a vector stored ${row.dtypeA} vs ${row.dtypeB}`);
    }
  }
  if (rows.length > 0 && differing === 0 && subject.quant !== against) violations.push(`no tensor's dtype differs between ${subject.quant} and ${against}: the two files are not two quantization levels`);
  if (rows.length === 0) violations.push("diff reports no tensor");
  return { checked: rows.length, violations };
};
