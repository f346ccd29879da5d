// lint (the seed's check-lint): the GGUF file carries the metadata llama.cpp's loader requires
// of its architecture (llama_model_loader: general.architecture, <arch>.context_length,
// embedding_length, block_count, feed_forward_length, attention.head_count, the norm's
// epsilon; tokenizer.ggml.model and tokens, merges for a BPE vocabulary) with the values
// config.json gives, head_count_kv included where it is written.

import { expectedArchitecture, modelDirectory } from "./hf-config.ts";
import { answerOrRefusal, type FileToolProbe } from "./probe.ts";
import { BlockedError } from "../../runtimes/runtime.ts";

export const ggufMetadata: FileToolProbe = async (tools, subject) => {
  if (subject.format !== "gguf") throw new BlockedError(`lint reads GGUF metadata; the subject's format is ${subject.format}`);
  const expected = expectedArchitecture(modelDirectory(subject));
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const report = await answerOrRefusal(() => tools.inspect(file.path), violations, `inspect ${file.path}`);
  if (!report) return { checked: 1, violations };
  const m = report.metadata;
  if (!m) return { checked: 1, violations: ["inspect prints no GGUF metadata"] };
  const arch = expected.family;
  const values: [string, unknown][] = [
    ["general.architecture", arch],
    [`${arch}.embedding_length`, expected.hidden],
    [`${arch}.block_count`, expected.layers],
    [`${arch}.feed_forward_length`, expected.intermediate],
    [`${arch}.attention.head_count`, expected.heads],
  ];
  for (const [key, want] of values) {
    if (!(key in m)) violations.push(`${key}: missing`);
    else if (m[key] !== want) violations.push(`${key}: ${JSON.stringify(m[key])}; config.json says ${JSON.stringify(want)}`);
  }
  if (`${arch}.attention.head_count_kv` in m && m[`${arch}.attention.head_count_kv`] !== expected.kvHeads) violations.push(`${arch}.attention.head_count_kv: ${JSON.stringify(m[`${arch}.attention.head_count_kv`])}; config.json says ${expected.kvHeads}`);
  const present = [`${arch}.context_length`, arch === "gpt2" ? `${arch}.attention.layer_norm_epsilon` : `${arch}.attention.layer_norm_rms_epsilon`, "tokenizer.ggml.model", "tokenizer.ggml.tokens"];
  if (m["tokenizer.ggml.model"] === "gpt2") present.push("tokenizer.ggml.merges");
  for (const key of present) if (!(key in m)) violations.push(`${key}: missing`);
  return { checked: values.length + present.length + 1, violations };
};
