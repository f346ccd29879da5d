// buildWeights hands each weight to the backend as soon as it is made: a float32 copy of an F16
// weight is then garbage before the next is made, instead of every copy alive at once beside
// the backend's (the peak that made a 270 MB F16 file take 5.2x its size in cpu-wasm).

import { describe, expect, it } from "vitest";
import { openSource } from "../open.ts";
import type { Tensor } from "../tensor.ts";
import { buildWeights } from "./weights.ts";

/** A tensor map that records each read. */
class RecordingTensors extends Map<string, Tensor> {
  constructor(
    tensors: Map<string, Tensor>,
    private readonly events: string[],
  ) {
    super(tensors);
  }

  override get(name: string): Tensor | undefined {
    this.events.push(`read ${name}`);
    return super.get(name);
  }
}

describe("buildWeights", () => {
  it("prepares each matrix and vector right after it is read, before the next tensor is read (after the layout check's reads)", () => {
    const source = openSource("tiny-llama");
    const events: string[] = [];
    const tensors = new RecordingTensors(source.tensors, events);
    buildWeights(source.arch, tensors, {
      matrix: (w) => (events.push(`prepare ${w.name}`), w),
      vector: (v) => (events.push("prepare vector"), v),
    });
    const built = events.slice(source.tensors.size);
    expect(events.slice(0, source.tensors.size).every((e) => e.startsWith("read "))).toBe(true);
    expect(built.length).toBe(2 * source.tensors.size);
    built.forEach((e, i) => expect(e.split(" ")[0]).toBe(i % 2 === 0 ? "read" : "prepare"));
    // a matrix's preparation names the tensor just read
    built.forEach((e, i) => e.startsWith("prepare blk") && expect(e.slice("prepare ".length)).toBe(built[i - 1].slice("read ".length)));
  });

  it("a tied head is the embedding, prepared once", () => {
    const source = openSource("tiny-llama");
    expect(source.arch.tiedEmbeddings).toBe(true);
    const prepared: string[] = [];
    const weights = buildWeights(source.arch, source.tensors, { matrix: (w) => (prepared.push(w.name), { ...w }), vector: (v) => v });
    expect(weights.output).toBe(weights.tokenEmbedding);
    expect(prepared.filter((n) => n === weights.tokenEmbedding.name)).toHaveLength(1);
  });
});
