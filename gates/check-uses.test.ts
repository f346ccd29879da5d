// A check's operations survive the clean pass's shards: the union of the shards' records, through
// JSON, answers as the record of one process that ran every check.

import { expect, it } from "vitest";
import type { SubjectOperation } from "../core/hook-reads.ts";
import { CheckUses } from "./check-uses.ts";

const subject = { model: "tiny-llama", format: "gguf", quant: "f32", backend: "cpu", runtime: "embedded" };
const withPath = { ...subject, model: "mine", path: "/models/mine.gguf" };
const other = { ...subject, runtime: "refute-serve" };

it("the shards' records, united through JSON, give every check the operations one record would", () => {
  const uses: [string, typeof subject, SubjectOperation, number][] = [
    ["c1", subject, "generate", 0],
    ["c1", subject, "chat", 0],
    ["c1", other, "serving", 0],
    ["c2", withPath, "perplexity", 1],
    ["c2", withPath, "perplexity", 1],
    ["c3", subject, "kv-compression", 1],
  ];
  const whole = new CheckUses();
  const shards = [new CheckUses(), new CheckUses()];
  for (const [id, s, op, shard] of uses) {
    whole.record(id, s, op);
    shards[shard].record(id, s, op);
  }
  const united = CheckUses.fromRecords(shards.map((s) => JSON.parse(JSON.stringify(s.toRecord()))));
  expect(united.toRecord()).toEqual(whole.toRecord());
  for (const id of ["c1", "c2", "c3", "c4"]) for (const s of [subject, withPath, other]) expect(united.operations(id, s)).toEqual(whole.operations(id, s));
  expect([...(united.operations("c1", subject) ?? [])].sort()).toEqual(["chat", "generate"]);
  expect(united.operations("c4", subject)).toBeUndefined(); // asked nothing: the teeth run reruns it
});
