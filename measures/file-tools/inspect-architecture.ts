// inspect (the seed's check-inspect): the layer, head, kv-head, hidden, feed-forward and
// vocabulary counts `inspect` reports for the converted file equal config.json's. A count the
// tool leaves out is a violation for the four every inspector must give (layers, heads,
// hidden, vocab) and is not compared for the others.

import { modelLocation } from "../../core/subject.ts";
import { expectedArchitecture, modelDirectory } from "./hf-config.ts";
import { answerOrRefusal, type FileToolProbe } from "./probe.ts";

const FIELDS = [
  ["layers", "layers", true],
  ["heads", "heads", true],
  ["kvHeads", "kvHeads", false],
  ["hidden", "hidden", true],
  ["intermediate", "intermediate", false],
  ["vocab", "vocab", true],
] as const;

export const inspectArchitecture: FileToolProbe = async (tools, subject) => {
  const expected = expectedArchitecture(modelDirectory(subject));
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const report = await answerOrRefusal(() => tools.inspect(file.path), violations, `inspect ${file.path} (${file.writtenBy})`);
  if (!report) return { checked: 1, violations };
  let checked = 0;
  for (const [field, key, required] of FIELDS) {
    const found = report[field];
    if (found === null) {
      if (required) violations.push(`${field}: inspect reports none; config.json says ${expected[key]}`);
      continue;
    }
    checked += 1;
    if (found !== expected[key]) violations.push(`${field}: inspect reports ${found}; config.json of ${modelLocation(subject)} says ${expected[key]}`);
  }
  return { checked, violations };
};
