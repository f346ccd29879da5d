import { describe, expect, it } from "vitest";
import { HookReads, recordingHooks, type SubjectOperation } from "./hook-reads.ts";

const subject = { model: "m", format: "native", quant: "f32", backend: "cpu", runtime: "embedded" };
const other = { ...subject, quant: "q8_0" };

describe("HookReads", () => {
  it("a fault may change a subject that read one of its hooks, or of which nothing was recorded; not one that read none", () => {
    const reads = new HookReads();
    reads.record(subject, "kernels");
    expect(reads.mayChange(subject, ["kernels"])).toBe(true);
    expect(reads.mayChange(subject, ["prependBos"])).toBe(false);
    expect(reads.mayChange(other, ["prependBos"])).toBe(true);
  });

  it("a source hook's fault whose transform left every source as it was changes nothing; one that changed any source may", () => {
    const reads = new HookReads();
    for (const s of [subject, other]) reads.record(s, "quantizedSource");
    reads.recordSourceEffect(subject, "q8-scale-bf16", false);
    reads.recordSourceEffect(other, "q8-scale-bf16", false);
    reads.recordSourceEffect(other, "q8-scale-bf16", true); // a second preparation it did change
    expect(reads.mayChange(subject, ["quantizedSource"], "q8-scale-bf16")).toBe(false);
    expect(reads.mayChange(other, ["quantizedSource"], "q8-scale-bf16")).toBe(true);
    expect(reads.mayChange(subject, ["quantizedSource"], "q4-nibble-order-swapped")).toBe(true); // never tried: may
    reads.record(subject, "kernels");
    expect(reads.mayChange(subject, ["quantizedSource", "kernels"], "q8-scale-bf16")).toBe(true); // another hook it read
  });
});

describe("HookReads by operation", () => {
  it("a check depends on its subject's load and on the operations it asked for, not on other operations' reads", () => {
    const reads = new HookReads();
    reads.record(subject, "kernels"); // while loading
    reads.record(subject, "eosIgnored", "generate");
    expect(reads.mayChange(subject, ["eosIgnored"], undefined, ["perplexity"])).toBe(false);
    expect(reads.mayChange(subject, ["eosIgnored"], undefined, ["generate"])).toBe(true);
    expect(reads.mayChange(subject, ["eosIgnored"])).toBe(true); // no operations named: all of them
    expect(reads.mayChange(subject, ["kernels"], undefined, [])).toBe(true); // the load counts for every check
  });
});

describe("HookReads records", () => {
  it("shards' records, united, answer as the reads of one run of all their checks would, through JSON", () => {
    const whole = new HookReads();
    const shards = [new HookReads(), new HookReads()];
    const reads: [typeof subject, string, number, SubjectOperation][] = [[subject, "kernels", 0, "load"], [subject, "quantizedSource", 1, "load"], [other, "prependBos", 1, "generate"], [other, "eosIgnored", 0, "generate"]];
    for (const [s, hook, shard, op] of reads) {
      whole.record(s, hook, op);
      shards[shard].record(s, hook, op);
    }
    for (const [changed, shard] of [[false, 0], [true, 1]] as const) {
      whole.recordSourceEffect(subject, "q8-scale-bf16", changed);
      shards[shard].recordSourceEffect(subject, "q8-scale-bf16", changed);
    }
    whole.recordSourceEffect(other, "q8-scale-bf16", false);
    shards[0].recordSourceEffect(other, "q8-scale-bf16", false);
    const united = HookReads.fromRecords(shards.map((r) => JSON.parse(JSON.stringify(r.toRecord()))));
    expect(united.toRecord()).toEqual(whole.toRecord());
    for (const s of [subject, other, { ...subject, model: "unrecorded" }]) {
      for (const hooks of [["kernels"], ["prependBos"], ["quantizedSource"], ["eosIgnored"]]) {
        for (const ops of [undefined, ["generate"], ["perplexity"]]) expect(united.mayChange(s, hooks, "q8-scale-bf16", ops)).toBe(whole.mayChange(s, hooks, "q8-scale-bf16", ops));
      }
    }
    expect(united.mayChange(subject, ["quantizedSource"], "q8-scale-bf16")).toBe(true); // one shard saw the source changed
  });
});

describe("recordingHooks", () => {
  it("reports every read, answers an absent hook with its probe, and leaves present hooks as they are", () => {
    const read: string[] = [];
    const own = () => 1;
    const probe = () => 2;
    const hooks = recordingHooks({ kernels: own } as Record<string, unknown>, (h) => read.push(h), { loadedSource: probe, kernels: probe });
    expect(hooks.kernels).toBe(own);
    expect(hooks.loadedSource).toBe(probe);
    expect(hooks.prependBos).toBeUndefined();
    expect(read).toEqual(["kernels", "loadedSource", "prependBos"]);
  });
});
