// Quantized matrices on the reference CPU backend, the way ggml's CPU mul_mat computes them:
// the activation is quantized once (Q8_0 or Q8_K), then each row is a fused integer dot product.

import type { Matrix } from "../../model/weights.ts";
import { matvecQuant } from "../../quant/matvec.ts";
import { quantType, rowByteLength } from "../../quant/types.ts";

type QuantMatrix = Extract<Matrix, { kind: "quant" }>;

export function matvecQuantized(w: QuantMatrix, x: Float32Array, out: Float32Array): void {
  matvecQuant(w.type, w.data, w.rows, w.cols, x, out);
}

export function dequantizeRowInto(w: QuantMatrix, row: number, out: Float32Array): void {
  const type = quantType(w.type);
  const bytes = rowByteLength(type, w.cols);
  out.set(type.dequantizeRow(w.data.subarray(row * bytes, (row + 1) * bytes)));
}
