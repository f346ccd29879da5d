// Per-tensor statistics after dequantization: what `refute tensors` prints and what
// `refute validate` judges (NaN, Inf, all zero).

import { toFloat32 } from "../model/dequantize.ts";
import type { Tensor } from "../tensor.ts";

export interface TensorStats {
  name: string;
  dtype: string;
  shape: number[];
  elements: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  nan: number;
  inf: number;
  zeros: number;
}

export function tensorStats(t: Tensor): TensorStats {
  const values = toFloat32(t);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  let nan = 0;
  let inf = 0;
  let zeros = 0;
  let finite = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      if (v === 0) zeros++;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sumSquares += v * v;
      finite++;
    }
  }
  const mean = finite ? sum / finite : NaN;
  return {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    elements: values.length,
    min: finite ? min : NaN,
    max: finite ? max : NaN,
    mean,
    std: finite ? Math.sqrt(Math.max(0, sumSquares / finite - mean * mean)) : NaN,
    nan,
    inf,
    zeros,
  };
}
