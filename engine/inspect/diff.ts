// `refute diff`: two models tensor by tensor. For each name: both shapes and dtypes, whether
// one is the other's transpose (a layout bug: by shape, or for a square matrix by its values
// matching through the transpose a thousand times better than directly), and the max
// absolute difference after dequantization (through the transpose when that was detected).

import type { ModelSource } from "../load.ts";
import { toFloat32 } from "../model/dequantize.ts";
import type { Tensor } from "../tensor.ts";

export interface TensorDiff {
  name: string;
  shapeA: number[] | null;
  shapeB: number[] | null;
  dtypeA: string | null;
  dtypeB: string | null;
  transposed: boolean;
  maxAbsDiff: number | null; // null when the tensors cannot be compared element by element
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function maxAbsDiff(a: Float32Array, b: Float32Array, transposedCols: number | null): number {
  let worst = 0;
  if (transposedCols === null) {
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    return worst;
  }
  // a: [rows, cols]; b: [cols, rows]
  const cols = transposedCols;
  const rows = a.length / cols;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) worst = Math.max(worst, Math.abs(a[r * cols + c] - b[c * rows + r]));
  return worst;
}

export function diffTensor(name: string, a: Tensor | undefined, b: Tensor | undefined): TensorDiff {
  const base = { name, shapeA: a?.shape ?? null, shapeB: b?.shape ?? null, dtypeA: a?.dtype ?? null, dtypeB: b?.dtype ?? null };
  if (!a || !b) return { ...base, transposed: false, maxAbsDiff: null };
  const transposed = a.shape.length === 2 && !sameShape(a.shape, b.shape) && sameShape([a.shape[1], a.shape[0]], b.shape);
  if (!sameShape(a.shape, b.shape) && !transposed) return { ...base, transposed, maxAbsDiff: null };
  const x = toFloat32(a);
  const y = toFloat32(b);
  const direct = maxAbsDiff(x, y, transposed ? a.shape[1] : null);
  // A square matrix stored transposed keeps its shape: only its values tell.
  const square = a.shape.length === 2 && a.shape[0] === a.shape[1];
  if (square && direct > 0) {
    const throughTranspose = maxAbsDiff(x, y, a.shape[1]);
    if (throughTranspose < direct / 1000) return { ...base, transposed: true, maxAbsDiff: throughTranspose };
  }
  return { ...base, transposed, maxAbsDiff: direct };
}

export function diffSources(a: ModelSource, b: ModelSource): TensorDiff[] {
  const names = [...new Set([...a.tensors.keys(), ...b.tensors.keys()])].sort();
  return names.map((n) => diffTensor(n, a.tensors.get(n), b.tensors.get(n)));
}

function weightTypes(source: ModelSource): string {
  const types = new Set<string>();
  for (const t of source.tensors.values()) if (t.shape.length === 2) types.add(t.dtype);
  return [...types].sort().join("+");
}

/**
 * Seed gate F-GT-002: comparing models of different quantization levels side by side is
 * misleading unless said. Returns the warning when their weight types differ, else null.
 */
export function mixedQuantizationWarning(a: ModelSource, b: ModelSource): string | null {
  const typesA = weightTypes(a);
  const typesB = weightTypes(b);
  return typesA === typesB ? null : `mixed quantization levels: ${typesA} vs ${typesB}; differences include quantization error, not only conversion bugs`;
}
