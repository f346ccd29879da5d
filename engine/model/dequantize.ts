// Any engine tensor to float32 values (row-major, same shape): float types converted,
// quantized blocks dequantized exactly as llama.cpp's dequantize_row_* does.

import { decodeF16Row } from "../quant/half.ts";
import { quantType } from "../quant/types.ts";
import { bf16ToFloat32, float32View, type Tensor } from "../tensor.ts";

export function toFloat32(t: Tensor): Float32Array {
  switch (t.dtype) {
    case "f32":
      return float32View(t.data);
    case "bf16":
      return bf16ToFloat32(t.data);
    case "f16":
      return decodeF16Row(t.data);
    default:
      return quantType(t.dtype).dequantizeRow(t.data);
  }
}
