// oracle-id (the seed's check-oracle-id): the architecture `inspect` names for the file is
// config.json's model_type (llama, qwen2, gpt2: the names llama.cpp's general.architecture
// uses too).

import { expectedArchitecture, modelDirectory } from "./hf-config.ts";
import { answerOrRefusal, type FileToolProbe } from "./probe.ts";

export const identifyFamily: FileToolProbe = async (tools, subject) => {
  const expected = expectedArchitecture(modelDirectory(subject));
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const report = await answerOrRefusal(() => tools.inspect(file.path), violations, `inspect ${file.path}`);
  if (report && report.architecture !== expected.family) violations.push(`inspect names the architecture ${JSON.stringify(report.architecture)}; config.json's model_type is ${expected.family}`);
  return { checked: 1, violations };
};
