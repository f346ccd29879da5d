// validate (the seed's check-validate, magic, header and version): `validate` accepts the file
// the converter wrote for the subject: valid, and no error code.

import { answerOrRefusal, type FileToolProbe } from "./probe.ts";

export const validateAccepts: FileToolProbe = async (tools, subject) => {
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const report = await answerOrRefusal(() => tools.validate(file.path), violations, `validate ${file.path} (${file.writtenBy})`);
  if (report && !report.valid) violations.push(`validate refuses ${file.path} (${file.writtenBy})${report.codes?.length ? `: ${report.codes.join(", ")}` : ""}`);
  return { checked: 1, violations };
};
