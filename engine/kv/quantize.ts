// Per-group quantization of KV-cache tensors: the one implementation behind the engine's
// quantized cache, `refute kv compress` and the kv claims. Not here: storage layouts (cache.ts
// for the engine, file.ts for files) and error metrics (metrics.ts).
//
// A group is `groupSize` consecutive values along head_dim (32, 64 or 128; it must divide
// head_dim, so a group never straddles two heads or two positions). Any tensor whose last
// axis is head_dim, [kv_heads, seq, head_dim] in files or [seq, kv_heads * head_dim] in the
// engine, is therefore a flat run of whole groups, quantized the same way in either layout.
//
// Symmetric, one f16 scale per group, no zero point:
//   scale = f16(amax / qmax), qmax = 2^(bits-1) - 1 (127 or 7)
//   code  = clamp(round(x / scale), -qmax, qmax),  x' = code * scale
// Why symmetric: keys (after RoPE) and values are close to zero-centred within a group of
// head_dim, so a zero point buys little (int8: nothing measurable; int4: one level of 16)
// and costs a second f16 per group and an add per value inside attention. Zero stays exact,
// so a sparsified value is exactly 0 after dequantization. The f16 scale gives int8 at group
// 32 a payload of 34 bytes per 32 values: 3.76x against fp32, the seed's quoted ratio.
// Bound: |x - x'| <= scale / 2 for every kept value (the f16 rounding of the scale moves
// amax / scale by at most qmax * 2^-11 < 0.5 past qmax, so no value is clamped); below
// amax / qmax = 2^-14 the scale is a half subnormal, off by up to 2^-25, which adds qmax * 2^-25.
// Groups whose scale would pass the largest half (amax > 65504 qmax) clip at 65504 qmax.
//
// Sparsification (ratio r in [0, 1), 0 = off): in each group the floor(r * groupSize) values
// of smallest magnitude (ties: lower index first) are set to zero before quantization. It is
// per group, so a cache can apply it one position at a time as tokens arrive.

import { RefuteError } from "../../core/errors.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { fp16BitsToFp32, fp32ToFp16Bits } from "../quant/half.ts";

/** The hooks the quantizer reads (engine/hooks.ts). */
export type KvQuantizerHooks = Pick<EngineHooks, "kvScaleUnsignedRange" | "kvSparsityDropsLargest">;

export const KV_BITS = [8, 4] as const;
export const KV_GROUP_SIZES = [32, 64, 128] as const;

export interface KvQuantOptions {
  bits: (typeof KV_BITS)[number];
  groupSize: (typeof KV_GROUP_SIZES)[number];
  sparsity: number; // in [0, 1); 0 = off
}

const MAX_HALF = 65504;

/** The largest code magnitude: 127 for int8, 7 for int4 (codes are symmetric around 0). */
export function qmaxOf(bits: KvQuantOptions["bits"]): number {
  return bits === 8 ? 127 : 7;
}

/** Values kept (not sparsified) in each group. */
export function keptPerGroup(options: KvQuantOptions): number {
  return options.groupSize - Math.floor(options.sparsity * options.groupSize);
}

/** Checks bits, group size and sparsity, and that the group size divides head_dim when given. */
export function checkKvOptions(options: KvQuantOptions, headDim?: number): void {
  const { bits, groupSize, sparsity } = options;
  if (!(KV_BITS as readonly number[]).includes(bits)) {
    throw new RefuteError("KV_BAD_OPTIONS", `bits must be 8 or 4, found ${bits}`, { field: "bits", expected: KV_BITS, found: bits });
  }
  if (!(KV_GROUP_SIZES as readonly number[]).includes(groupSize)) {
    throw new RefuteError("KV_BAD_OPTIONS", `group size must be 32, 64 or 128, found ${groupSize}`, { field: "groupSize", expected: KV_GROUP_SIZES, found: groupSize });
  }
  if (!(typeof sparsity === "number" && sparsity >= 0 && sparsity < 1)) {
    throw new RefuteError("KV_BAD_OPTIONS", `sparsity must be a ratio in [0, 1), found ${sparsity}`, { field: "sparsity", found: sparsity });
  }
  if (headDim !== undefined && headDim % groupSize !== 0) {
    throw new RefuteError("KV_GROUP_NOT_DIVIDING", `group size ${groupSize} does not divide head_dim ${headDim}: a group must not straddle two heads`, {
      groupSize,
      headDim,
    });
  }
}

/** x rounded to the nearest f16, as a number (exact: every half is a single). */
export function roundToHalf(x: number): number {
  return fp16BitsToFp32(fp32ToFp16Bits(x));
}

/**
 * Quantizes x (a whole number of groups) in place of `codes` (one per value, in [-qmax, qmax])
 * and `scales` (one per group, f16-exact). `kept`, when given, gets 1 for each value kept and
 * 0 for each one sparsified. The hook kvScaleUnsignedRange divides amax by the unsigned
 * range (2^bits - 1) instead of qmax: codes then clamp, clipping every value above about half
 * of its group's largest magnitude. The hook kvSparsityDropsLargest zeroes the values of
 * largest magnitude instead of the smallest.
 */
export function quantizeGroups(
  x: Float32Array,
  codes: Int8Array,
  scales: Float32Array,
  options: KvQuantOptions,
  hooks: KvQuantizerHooks = NO_HOOKS,
  kept: Uint8Array | null = null,
): void {
  const { groupSize } = options;
  const qmax = qmaxOf(options.bits);
  const divisor = hooks.kvScaleUnsignedRange ? 2 ** options.bits - 1 : qmax;
  const drop = groupSize - keptPerGroup(options);
  const order = drop > 0 ? new Uint16Array(groupSize) : null;
  const groups = x.length / groupSize;
  if (!Number.isInteger(groups)) {
    throw new RefuteError("KV_GROUP_NOT_DIVIDING", `${x.length} values are not a whole number of groups of ${groupSize}`, { values: x.length, groupSize });
  }
  if (kept) kept.fill(1, 0, x.length);
  for (let g = 0; g < groups; g++) {
    const base = g * groupSize;
    if (order) orderByMagnitude(x, base, order, hooks.kvSparsityDropsLargest ? -1 : 1);
    let amax = 0;
    for (let i = 0; i < groupSize; i++) {
      const a = Math.abs(x[base + i]);
      if (a > amax) amax = a;
    }
    const scale = Math.min(roundToHalf(amax / divisor), MAX_HALF);
    scales[g] = scale;
    const inverse = scale > 0 ? 1 / scale : 0;
    for (let i = 0; i < groupSize; i++) {
      const q = Math.round(x[base + i] * inverse);
      // biome-ignore lint/complexity/useMathMinMax: the clamp of the inner loop, spelled as the kernels spell it
      codes[base + i] = q > qmax ? qmax : q < -qmax ? -qmax : q;
    }
    if (order) {
      for (let i = 0; i < drop; i++) {
        codes[base + order[i]] = 0;
        if (kept) kept[base + order[i]] = 0;
      }
    }
  }
}

/**
 * order := the indices 0..n-1 of the group x[base, base + n) by increasing direction * |x|,
 * ties by lower index first. An insertion sort: on 32 to 128 values it is several times faster
 * than a typed array's sort with a comparator, and stable, which gives the tie order.
 */
function orderByMagnitude(x: Float32Array, base: number, order: Uint16Array, direction: 1 | -1): void {
  for (let i = 0; i < order.length; i++) {
    const key = direction * Math.abs(x[base + i]);
    let j = i;
    while (j > 0 && direction * Math.abs(x[base + order[j - 1]]) > key) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
}

/** out[i] = codes[i] * scales[group of i]. */
export function dequantizeGroups(codes: Int8Array, scales: Float32Array, groupSize: number, out: Float32Array): void {
  for (let g = 0, i = 0; i < codes.length; g++) {
    const scale = scales[g];
    for (const end = i + groupSize; i < end; i++) out[i] = codes[i] * scale;
  }
}

/** Two int4 codes per byte: element 2j in the low nibble, 2j + 1 in the high one, each stored as code + 8. */
export function packInt4(codes: Int8Array, out: Uint8Array): void {
  for (let j = 0; j < out.length; j++) {
    const lo = codes[2 * j] + 8;
    const hi = 2 * j + 1 < codes.length ? codes[2 * j + 1] + 8 : 8;
    out[j] = lo | (hi << 4);
  }
}

export function unpackInt4(packed: Uint8Array, out: Int8Array): void {
  for (let i = 0; i < out.length; i++) {
    const b = packed[i >> 1];
    out[i] = ((i & 1) === 0 ? b & 15 : b >> 4) - 8;
  }
}
