// Any engine tensor to float32 values (row-major, same shape).

import { RefuteError } from "../errors.ts";
import { bf16ToFloat32, f16ToFloat32, float32View, type Tensor } from "../tensor.ts";

export function toFloat32(t: Tensor): Float32Array {
  switch (t.dtype) {
    case "f32":
      return float32View(t.data);
    case "bf16":
      return bf16ToFloat32(t.data);
    case "f16":
      return f16ToFloat32(t.data);
    default:
      throw new RefuteError("TENSOR_NOT_FLOAT", `tensor ${t.name}: dtype ${t.dtype} cannot be read as float here`, { tensor: t.name, dtype: t.dtype });
  }
}
