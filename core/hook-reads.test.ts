import { describe, expect, it } from "vitest";
import { HookReads, recordingHooks } from "./hook-reads.ts";

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
