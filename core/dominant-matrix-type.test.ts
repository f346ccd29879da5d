import { describe, expect, it } from "vitest";
import { dominantMatrixTypeOf } from "./dominant-matrix-type.ts";

const m = (type: string, rank = 2) => ({ rank, type });

describe("dominantMatrixTypeOf", () => {
  it("counts matrices only: f32 norms and a q6_k output do not make a q4_0 model anything else", () => {
    expect(dominantMatrixTypeOf([m("f32", 1), m("f32", 1), m("f32", 1), m("q4_0"), m("q4_0"), m("q6_k")])).toBe("q4_0");
  });

  it("the first type seen wins a tie; no matrix at all is null", () => {
    expect(dominantMatrixTypeOf([m("q8_0"), m("f16"), m("f16"), m("q8_0")])).toBe("q8_0");
    expect(dominantMatrixTypeOf([m("f32", 1), m("f32", 3)])).toBeNull();
  });
});
