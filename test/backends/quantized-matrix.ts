// A weight matrix of one quantization type made from float values, row by row through the
// engine's own quantizer, for the kernel tests.

import type { Matrix } from "../../engine/model/weights.ts";
import { QUANT_TYPES, rowByteLength } from "../../engine/quant/types.ts";
import type { QuantDType } from "../../engine/tensor.ts";

export function quantizedMatrix(type: QuantDType, rows: number, cols: number, values: Float32Array): Matrix {
  const t = QUANT_TYPES[type];
  const rowBytes = rowByteLength(t, cols);
  const data = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) data.set(t.quantizeRow(values.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return { kind: "quant", name: `w.${type}`, type, rows, cols, data };
}
