// The reference CPU backend: plain TypeScript, float32 storage, float64 accumulation.
// Every other backend is checked against this one.

import { cachedRopeTable, type RopeFrequencies } from "../rope-frequencies.ts";
import { RefuteError } from "../../../core/errors.ts";
import type { Matrix } from "../../model/weights.ts";
import type { AttentionShape, Kernels } from "../kernels.ts";
import { dequantizeRowInto, matvecQuantized } from "./quantized.ts";

function matvecF32(w: Float32Array, rows: number, cols: number, x: Float32Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) sum += w[base + c] * x[c];
    out[r] = sum;
  }
}

function checkLength(name: string, what: string, expected: number, found: number): void {
  if (expected !== found) throw new RefuteError("KERNEL_SHAPE", `${name}: ${what} has ${found} values, expected ${expected}`, { tensor: name, expected, found });
}

export const cpuKernels: Kernels = {
  name: "cpu-ts",

  matvec(w: Matrix, x: Float32Array, out: Float32Array, bias: Float32Array | null): void {
    checkLength(w.name, "input", w.cols, x.length);
    if (w.kind === "f32") matvecF32(w.data, w.rows, w.cols, x, out);
    else matvecQuantized(w, x, out);
    if (bias) for (let r = 0; r < w.rows; r++) out[r] += bias[r];
  },

  embeddingRow(w: Matrix, row: number, out: Float32Array): void {
    if (!(row >= 0 && row < w.rows)) throw new RefuteError("TOKEN_OUT_OF_RANGE", `token id ${row} outside the vocabulary of ${w.rows}`, { token: row });
    if (w.kind === "f32") out.set(w.data.subarray(row * w.cols, (row + 1) * w.cols));
    else dequantizeRowInto(w, row, out);
  },

  rmsNorm(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array): void {
    let sumSquares = 0;
    for (let i = 0; i < x.length; i++) sumSquares += x[i] * x[i];
    const scale = 1 / Math.sqrt(sumSquares / x.length + eps);
    for (let i = 0; i < x.length; i++) out[i] = x[i] * scale * weight[i];
  },

  layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number, out: Float32Array): void {
    let mean = 0;
    for (let i = 0; i < x.length; i++) mean += x[i];
    mean /= x.length;
    let variance = 0;
    for (let i = 0; i < x.length; i++) variance += (x[i] - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / x.length + eps);
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - mean) * scale * weight[i] + bias[i];
  },

  rope(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void {
    const half = headDim / 2;
    const table = cachedRopeTable(freqs, position);
    for (let i = 0; i < half; i++) {
      const cos = table[2 * i];
      const sin = table[2 * i + 1];
      for (let h = 0; h < heads; h++) {
        const a = h * headDim + i;
        const b = a + half;
        const x0 = x[a];
        const x1 = x[b];
        x[a] = x0 * cos - x1 * sin;
        x[b] = x1 * cos + x0 * sin;
      }
    }
  },

  attention(q: Float32Array, keys: Float32Array, values: Float32Array, length: number, shape: AttentionShape, out: Float32Array): void {
    const { heads, kvHeads, headDim } = shape;
    const group = heads / kvHeads;
    const kvStride = kvHeads * headDim;
    const scale = 1 / Math.sqrt(headDim);
    const scores = new Float32Array(length);
    for (let h = 0; h < heads; h++) {
      const qBase = h * headDim;
      const kvBase = Math.floor(h / group) * headDim;
      for (let t = 0; t < length; t++) {
        let dot = 0;
        const kBase = t * kvStride + kvBase;
        for (let d = 0; d < headDim; d++) dot += q[qBase + d] * keys[kBase + d];
        scores[t] = dot * scale;
      }
      this.softmax(scores, length);
      for (let d = 0; d < headDim; d++) {
        let sum = 0;
        for (let t = 0; t < length; t++) sum += scores[t] * values[t * kvStride + kvBase + d];
        out[qBase + d] = sum;
      }
    }
  },

  softmax(x: Float32Array, n: number): void {
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(x[i] - max);
      x[i] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) x[i] /= sum;
  },

  argmax(x: Float32Array): number {
    let best = 0;
    for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
    return best;
  },
};
