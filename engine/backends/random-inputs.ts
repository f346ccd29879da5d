// Deterministic random inputs for kernel comparisons (engine/backends/agreement.ts) and the
// backend tests: gaussian vectors from a seed, and matrices stored as f32 or quantized with
// the engine's own quantizers (scaled 1/sqrt(cols), so products stay of order one).

import type { Matrix } from "../model/weights.ts";
import type { QuantDType } from "../tensor.ts";
import { QUANT_TYPES, rowByteLength, type QuantName } from "../quant/types.ts";

/** xorshift32 -> gaussian (Box-Muller), deterministic. */
export function gaussian(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 1) / 4294967297;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) * scale;
  return out;
}

export function randomMatrix(name: string, rows: number, cols: number, quant: QuantName, seed: number): Matrix {
  const values = gaussian(rows * cols, seed, 1 / Math.sqrt(cols));
  if (quant === "f32") return { kind: "f32", name, rows, cols, data: values };
  const type = QUANT_TYPES[quant];
  const rowBytes = rowByteLength(type, cols);
  const data = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) data.set(type.quantizeRow(values.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return { kind: "quant", name, type: quant as QuantDType, rows, cols, data };
}
