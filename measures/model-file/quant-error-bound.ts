// Quantization error bounds, derived from the block layout, not from the implementation:
// every element of every q8_0 or q4_0 tensor dequantizes within its block's bound of the
// original f32 weight. A block holds 32 values and one scale d, stored as fp16 (dh):
//   q8_0  d = amax/127;  |x - deq| <= |d|/2 + 2^-16 |d| + 127 |d - dh|
//   q4_0  d = max/-8 (max: the value of largest magnitude);
//         |x - deq| <= |d| (1 + 2^-16) + 8 |d - dh|  (clamping at 7 allows a full step)
// The original weights are the checkpoint in f32 as the tool reads it for the subject without
// its injected fault, the way kernel-agreement's reference runs without it: a fault in loading
// or quantizing then shows as error beyond the bound instead of being in both.

import { BlockedError } from "../../runtimes/runtime.ts";
import type { FileForm, ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { MeasureInput } from "../measure.ts";
import type { ProbeResult } from "../violations.ts";
import { SAFETENSORS_F32 } from "./forms.ts";

const BLOCK = 32;

/**
 * The scale d as a block stores it: rounded to float32, then to the nearest IEEE half
 * (ties to even, gradual underflow below 2^-14, overflow to infinity).
 */
export function storedHalf(d: number): number {
  const x = Math.fround(d);
  const a = Math.abs(x);
  if (a === 0 || !Number.isFinite(a)) return x;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // log2 rounded up across a power of two
  else if (2 ** (e + 1) <= a) e++;
  const step = 2 ** (Math.max(e, -14) - 10); // the spacing of halves around a: 10 mantissa bits, subnormal below 2^-14
  const q = a / step; // exact: step is a power of two
  const below = Math.floor(q);
  const steps = q - below > 0.5 || (q - below === 0.5 && below % 2 === 1) ? below + 1 : below;
  return Math.sign(x) * (steps * step > 65504 ? Infinity : steps * step);
}

/** The most |x - deq| may be anywhere in `block` (32 original values) for its type. */
export function blockBound(type: "q8_0" | "q4_0", block: Float32Array): number {
  let amax = 0;
  let max = 0;
  for (const v of block) {
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  const d = type === "q8_0" ? amax / 127 : max / -8;
  const dh = storedHalf(d);
  return type === "q8_0" ? Math.abs(d) / 2 + Math.abs(d) * 2 ** -16 + 127 * Math.abs(d - dh) : Math.abs(d) * (1 + 2 ** -16) + 8 * Math.abs(d - dh);
}

/** The element of `y` farthest beyond its block's bound of `x`: how many bounds away (worst) and where. */
function worstExcess(type: "q8_0" | "q4_0", x: Float32Array, y: Float32Array): { worst: number; where: number } {
  let worst = 0;
  let where = -1;
  for (let b = 0; b < x.length; b += BLOCK) {
    const bound = blockBound(type, x.subarray(b, b + BLOCK));
    for (let i = b; i < b + BLOCK; i++) {
      const excess = Math.abs(x[i] - y[i]) / bound;
      if (excess > worst) {
        worst = excess;
        where = i;
      }
    }
  }
  return { worst, where };
}

export async function quantErrorBound(tool: ModelFileTool, { subject, modelFiles }: MeasureInput): Promise<ProbeResult> {
  const type = subject.quant;
  if (type !== "q8_0" && type !== "q4_0") throw new BlockedError(`probe quant-error-bound: the block bounds are those of q8_0 and q4_0, not ${type}`);
  const { inject: _fault, ...clean } = subject;
  const original = await modelFiles(clean);
  const quantized: FileForm = { format: "native", quant: type };
  const violations: string[] = [];
  let checked = 0;
  for (const t of await tool.tensors(quantized)) {
    if (t.dtype !== type) continue;
    checked++;
    const x = (await original.tensor(SAFETENSORS_F32, t.name)).values;
    const { worst, where } = worstExcess(type, x, (await tool.tensor(quantized, t.name)).values);
    if (worst > 1) violations.push(`${t.name}: |x - deq| is ${worst.toFixed(3)}x its bound at element ${where}`);
  }
  return { checked, violations };
}
