// Quantized matrices on the reference CPU backend: rows dequantized block by block.

import { RefuteError } from "../../errors.ts";
import type { Matrix } from "../../model/weights.ts";

type QuantMatrix = Extract<Matrix, { kind: "quant" }>;

export function matvecQuantized(w: QuantMatrix, _x: Float32Array, _out: Float32Array): void {
  throw new RefuteError("QUANT_UNSUPPORTED", `${w.name}: ${w.type} matvec is not available yet`, { tensor: w.name });
}

export function dequantizeRowInto(w: QuantMatrix, _row: number, _out: Float32Array): void {
  throw new RefuteError("QUANT_UNSUPPORTED", `${w.name}: ${w.type} rows are not available yet`, { tensor: w.name });
}
