import { describe, expect, it } from "vitest";
import { float32Bytes, type Tensor } from "../tensor.ts";
import { diffTensor } from "./diff.ts";

const t = (shape: number[], values: number[]): Tensor => ({ name: "w", dtype: "f32", shape, data: float32Bytes(Float32Array.from(values)) });

describe("diffTensor", () => {
  it("detects a rectangular transpose by shape and compares through it", () => {
    const d = diffTensor("w", t([2, 3], [1, 2, 3, 4, 5, 6]), t([3, 2], [1, 4, 2, 5, 3, 6]));
    expect(d).toMatchObject({ transposed: true, maxAbsDiff: 0 });
  });

  it("detects a square matrix stored transposed by its values", () => {
    const d = diffTensor("w", t([2, 2], [1, 2, 3, 4]), t([2, 2], [1, 3, 2, 4]));
    expect(d).toMatchObject({ transposed: true, maxAbsDiff: 0 });
  });

  it("reports a plain difference (not a transpose) with its max", () => {
    const d = diffTensor("w", t([2, 2], [1, 2, 3, 4]), t([2, 2], [1, 2, 3, 4.5]));
    expect(d).toMatchObject({ transposed: false, maxAbsDiff: 0.5 });
  });

  it("cannot compare shapes that are neither equal nor transposed", () => {
    expect(diffTensor("w", t([2, 2], [1, 2, 3, 4]), t([4], [1, 2, 3, 4])).maxAbsDiff).toBeNull();
  });
});
