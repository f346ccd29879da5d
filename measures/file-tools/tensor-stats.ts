// hex and debug (the seed's check-hex, check-debug): every tensor of the file, dequantized,
// has statistics that say it holds weights: no NaN, no Inf, a standard deviation above zero
// (the seed's issue #232: an int4 file whose embedding was all zeros). A tool that prints no
// standard deviation cannot be judged on it: a violation, not a pass.

import { answerOrRefusal, type FileToolProbe } from "./probe.ts";

export const tensorStats: FileToolProbe = async (tools, subject) => {
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const rows = await answerOrRefusal(() => tools.tensors(file.path), violations, `tensors ${file.path}`);
  if (!rows) return { checked: 1, violations };
  for (const row of rows) {
    if (row.std === null) violations.push(`${row.name}: tensors prints no standard deviation`);
    else if (!(row.std > 0)) violations.push(`${row.name}: standard deviation ${row.std} (constant or empty)`);
    if (row.nan) violations.push(`${row.name}: ${row.nan} NaN`);
    if (row.inf) violations.push(`${row.name}: ${row.inf} Inf`);
  }
  return { checked: rows.length, violations };
};
