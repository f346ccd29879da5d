// How a weight matrix lies in device memory (kernels.cu's "Device weight layouts"): Q8_0 and
// Q4_0 blocks are rearranged so that their quants start 4-byte aligned (the kernels read them
// as int32 for __dp4a); F32, Q4_K and Q6_K go as they are. Pure functions of the bytes, so
// they are checked here against the engine's dequantizers without a GPU.
// Matrix: [rows, cols] row-major; each quantized row is cols / blockSize blocks.

import { RefuteError } from "../../../core/errors.ts";
import type { Matrix } from "../../model/weights.ts";

export type ActivationFormat = "a8_0" | "a8_k";

export interface QuantLayout {
  /** ggml block: values and bytes */
  block: number;
  bytes: number;
  /** bytes of one block on the device */
  deviceBytes: number;
  /** the activation format the kernel takes */
  activation: ActivationFormat;
  kernel: "matvec_q8_0" | "matvec_q4_0" | "matvec_q4_k" | "matvec_q6_k";
}

export const QUANT_LAYOUTS: Readonly<Record<string, QuantLayout>> = {
  q8_0: { block: 32, bytes: 34, deviceBytes: 36, activation: "a8_0", kernel: "matvec_q8_0" },
  q4_0: { block: 32, bytes: 18, deviceBytes: 20, activation: "a8_0", kernel: "matvec_q4_0" },
  q4_k: { block: 256, bytes: 144, deviceBytes: 144, activation: "a8_k", kernel: "matvec_q4_k" },
  q6_k: { block: 256, bytes: 210, deviceBytes: 210, activation: "a8_k", kernel: "matvec_q6_k" },
};

type QuantMatrix = Extract<Matrix, { kind: "quant" }>;

/** The layout of a quantized matrix, after checking that its bytes are whole rows of whole blocks; null for a type without a kernel. */
export function quantLayout(w: QuantMatrix): QuantLayout | null {
  const layout = QUANT_LAYOUTS[w.type];
  if (!layout) return null;
  const expected = w.rows * (w.cols / layout.block) * layout.bytes;
  if (w.cols % layout.block !== 0 || w.data.length !== expected) {
    throw new RefuteError("KERNEL_SHAPE", `${w.name}: ${w.type} [${w.rows}, ${w.cols}] needs ${w.rows * Math.ceil(w.cols / layout.block) * layout.bytes} bytes in whole blocks of ${layout.block}, found ${w.data.length}`, {
      tensor: w.name,
      expected,
      found: w.data.length,
    });
  }
  return layout;
}

/**
 * The bytes to upload for a quantized matrix. Q8_0 (d, qs[32]) -> (qs[32], d, pad 2);
 * Q4_0 (d, qs[16]) -> (qs[16], d, pad 2); Q4_K and Q6_K: the ggml bytes themselves.
 */
export function deviceBytes(w: QuantMatrix, layout: QuantLayout): Uint8Array {
  if (layout.bytes === layout.deviceBytes) return w.data;
  const blocks = w.data.length / layout.bytes;
  const quants = layout.bytes - 2;
  const out = new Uint8Array(blocks * layout.deviceBytes);
  for (let b = 0; b < blocks; b++) {
    const src = b * layout.bytes;
    const dst = b * layout.deviceBytes;
    out.set(w.data.subarray(src + 2, src + layout.bytes), dst);
    out[dst + quants] = w.data[src];
    out[dst + quants + 1] = w.data[src + 1];
  }
  return out;
}

/** Bytes of the activation scratch for n values: A8_0 int8 qs[n] + float d[n/32]; A8_K adds int bsums[n/16]. */
export function activationBytes(format: ActivationFormat, n: number): { qs: number; d: number; bsums: number } {
  const qs = (n + 255) & ~255; // keeps d 256-aligned after qs in one allocation
  return format === "a8_0" ? { qs, d: (n / 32) * 4, bsums: 0 } : { qs, d: (n / 256) * 4, bsums: (n / 16) * 4 };
}
