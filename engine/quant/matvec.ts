// out = W x for a quantized weight, the way ggml's CPU mul_mat does it for one activation
// row: x is quantized once to the weight type's activation format, then each output is the
// fused integer dot product of one weight row with it.
// W: [rows, cols] row-major, each row cols/blockSize blocks; x: [cols]; out: [rows].
// A non-finite x has no quantized form: for quantized types every output is then NaN.

import { RefuteError } from "../../core/errors.ts";
import { quantType, rowByteLength, type QuantName } from "./types.ts";

export function matvecQuant(name: QuantName, weight: Uint8Array, rows: number, cols: number, x: Float32Array, out: Float32Array): Float32Array {
  const type = quantType(name);
  const rowBytes = rowByteLength(type, cols);
  if (weight.length !== rows * rowBytes || x.length !== cols || out.length !== rows) {
    throw new RefuteError("QUANT_BAD_SHAPE", `matvec ${name}: weight [${rows}, ${cols}] needs ${rows * rowBytes} bytes, x [${cols}], out [${rows}]`, {
      format: name,
      expected: { weightBytes: rows * rowBytes, x: cols, out: rows },
      found: { weightBytes: weight.length, x: x.length, out: out.length },
    });
  }
  if (type.blockSize > 1 && !x.every(Number.isFinite)) return out.fill(NaN);
  const a = type.quantizeActivation(x);
  for (let r = 0; r < rows; r++) out[r] = type.vecDot(weight.subarray(r * rowBytes, (r + 1) * rowBytes), a);
  return out;
}
