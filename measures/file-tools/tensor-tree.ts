// tree (the seed's check-tree): the file's blocks are blk.0 ... blk.(layers - 1) of
// config.json, each with exactly the family's tensor set (tensor-roles.ts), and outside the
// blocks exactly the embedding, the final norm, GPT-2's position table and an untied head.

import { blockOf, blockTensorSets, globalTensors } from "./tensor-roles.ts";
import { expectedArchitecture, modelDirectory } from "./hf-config.ts";
import { answerOrRefusal, type FileToolProbe } from "./probe.ts";
import { BlockedError } from "../../runtimes/runtime.ts";

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

export const tensorTree: FileToolProbe = async (tools, subject) => {
  const expected = expectedArchitecture(modelDirectory(subject));
  const sets = blockTensorSets(expected.family);
  if (!sets) throw new BlockedError(`the tools probes know the tensor sets of llama, qwen2 and gpt2, not ${expected.family}`);
  const file = await tools.modelFile(subject.format, subject.quant);
  const violations: string[] = [];
  const rows = await answerOrRefusal(() => tools.tensors(file.path), violations, `tensors ${file.path}`);
  if (!rows) return { checked: 1, violations };
  const blocks = new Map<number, string[]>();
  const outside: string[] = [];
  for (const { name } of rows) {
    const block = blockOf(name);
    if (block) blocks.set(block[0], [...(blocks.get(block[0]) ?? []), block[1]]);
    else outside.push(name);
  }
  const indices = [...blocks.keys()].sort((a, b) => a - b);
  const want = Array.from({ length: expected.layers }, (_, i) => i);
  if (!sameSet(indices.map(String), want.map(String))) violations.push(`blocks ${indices.join(", ") || "(none)"}; config.json has ${expected.layers} layers (blk.0 to blk.${expected.layers - 1})`);
  for (const [i, names] of blocks) {
    if (!sets.some((set) => sameSet(names, set))) {
      const missing = sets[0].filter((n) => !names.includes(n));
      const extra = names.filter((n) => !sets.some((set) => set.includes(n)));
      violations.push(`blk.${i}: ${names.length} tensors${missing.length ? `, missing ${missing.join(", ")}` : ""}${extra.length ? `, unexpected ${extra.join(", ")}` : ""}`);
    }
  }
  const globals = globalTensors(expected);
  if (!sameSet(outside, globals)) violations.push(`outside the blocks: ${outside.sort().join(", ")}; expected ${[...globals].sort().join(", ")}`);
  return { checked: rows.length, violations };
};
