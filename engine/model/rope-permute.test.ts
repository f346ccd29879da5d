import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toAdjacentPairs, toSplitHalves, toSplitHalvesInPlace } from "./rope-permute.ts";

describe("q/k row permutation for llama.cpp's RoPE", () => {
  it("matches llama.cpp's converter: reshape(heads, 2, d/2, in).swapaxes(1, 2)", () => {
    // One head of d = 4 rows, one byte per row: HF rows [a0 a1 | b0 b1] -> GGUF [a0 b0 a1 b1].
    const hf = Uint8Array.from([10, 11, 20, 21, 30, 31, 40, 41]); // 2 heads of 4 rows, 1 byte each
    const out = toAdjacentPairs(hf, 8, 4);
    expect(Array.from(out)).toEqual([10, 20, 11, 21, 30, 40, 31, 41]);
  });

  it("export then import is the identity for any head size and row width", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), (heads, halfDim, rowBytes) => {
        const rows = heads * halfDim * 2;
        const data = Uint8Array.from({ length: rows * rowBytes }, (_, i) => i % 251);
        expect(Array.from(toSplitHalves(toAdjacentPairs(data, rows, halfDim * 2), rows, halfDim * 2))).toEqual(Array.from(data));
      }),
    );
  });

  it("in place, the import gives the copy's bytes, in the very buffer", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), (heads, halfDim, rowBytes) => {
        const rows = heads * halfDim * 2;
        const gguf = Uint8Array.from({ length: rows * rowBytes }, (_, i) => (i * 7) % 251);
        const copied = toSplitHalves(gguf, rows, halfDim * 2);
        const buffer = gguf.slice();
        expect(toSplitHalvesInPlace(buffer, rows, halfDim * 2)).toBe(buffer);
        expect(Array.from(buffer)).toEqual(Array.from(copied));
      }),
    );
  });
});
