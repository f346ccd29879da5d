// Quantize -> dequantize bounds over random tensors (fast-check): codes in range, scales
// exact halves, |x - x'| <= scale / 2 for every kept value, sparsification drops exactly
// floor(r g) values per group and never a larger one than it keeps; int4 packing round trips.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { NO_HOOKS } from "../hooks.ts";
import { checkKvOptions, dequantizeGroups, keptPerGroup, packInt4, qmaxOf, quantizeGroups, roundToHalf, unpackInt4, type KvQuantOptions } from "./quantize.ts";

const options = fc.record({
  bits: fc.constantFrom(8 as const, 4 as const),
  groupSize: fc.constantFrom(32 as const, 64 as const, 128 as const),
  sparsity: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.99, noNaN: true })),
});

// Whole groups of values spanning KV-cache magnitudes, tiny ones (half subnormals) included.
const tensor = (groupSize: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(1e-6, 1e-3, 1, 30, 1000))
    .chain(([groups, magnitude]) =>
      fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: groups * groupSize, maxLength: groups * groupSize }).map((v) => Float32Array.from(v, (x) => x * magnitude)),
    );

const cases = options.chain((o) => tensor(o.groupSize).map((x) => ({ o, x })));

function quantize(x: Float32Array, o: KvQuantOptions) {
  const codes = new Int8Array(x.length);
  const scales = new Float32Array(x.length / o.groupSize);
  const kept = new Uint8Array(x.length);
  quantizeGroups(x, codes, scales, o, NO_HOOKS, kept);
  const y = new Float32Array(x.length);
  dequantizeGroups(codes, scales, o.groupSize, y);
  return { codes, scales, kept, y };
}

describe("per-group quantization", () => {
  it("codes lie in [-qmax, qmax], scales are exact halves, |x - x'| <= scale / 2 (+ half a subnormal step x qmax) for kept values", () => {
    fc.assert(
      fc.property(cases, ({ o, x }) => {
        const { codes, scales, kept, y } = quantize(x, o);
        const qmax = qmaxOf(o.bits);
        for (const c of codes) expect(Math.abs(c)).toBeLessThanOrEqual(qmax);
        for (const s of scales) expect(roundToHalf(s)).toBe(s);
        for (let i = 0; i < x.length; i++) {
          const scale = scales[Math.floor(i / o.groupSize)];
          // The f16 scale is within half a subnormal step (2^-25) of amax / qmax below 2^-14.
          const bound = scale / 2 + qmax * 2 ** -25 + 1e-6 * Math.abs(x[i]);
          if (kept[i]) expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(bound);
          else expect(y[i]).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("sparsification drops exactly floor(r g) values per group, none larger in magnitude than one it keeps", () => {
    fc.assert(
      fc.property(cases, ({ o, x }) => {
        const { kept } = quantize(x, o);
        for (let g = 0; g < x.length / o.groupSize; g++) {
          const group = [...kept.subarray(g * o.groupSize, (g + 1) * o.groupSize)];
          expect(group.filter((k) => k === 1).length).toBe(keptPerGroup(o));
          const mags = (keep: number) => group.flatMap((k, i) => (k === keep ? [Math.abs(x[g * o.groupSize + i])] : []));
          const dropped = mags(0);
          if (dropped.length > 0) expect(Math.max(...dropped)).toBeLessThanOrEqual(Math.min(...mags(1)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("the values sparsification drops are the floor(r g) first by (|x|, index), or by (-|x|, index) under kvSparsityDropsLargest: ties go to the lower index", () => {
    // few distinct magnitudes, so most groups have ties; the expectation sorts with a comparator
    const tied = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 32, maxLength: 32 }).map((v) => Float32Array.from(v, (x) => x / 4));
    fc.assert(
      fc.property(tied, fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.boolean(), (x, sparsity, largest) => {
        const o: KvQuantOptions = { bits: 8, groupSize: 32, sparsity };
        const kept = new Uint8Array(32);
        quantizeGroups(x, new Int8Array(32), new Float32Array(1), o, largest ? { kvSparsityDropsLargest: true } : NO_HOOKS, kept);
        const direction = largest ? -1 : 1;
        const byMagnitude = [...x.keys()].sort((a, b) => direction * (Math.abs(x[a]) - Math.abs(x[b])) || a - b);
        const dropped = new Set(byMagnitude.slice(0, 32 - keptPerGroup(o)));
        expect([...kept]).toEqual([...x.keys()].map((i) => (dropped.has(i) ? 0 : 1)));
      }),
      { numRuns: 300 },
    );
  });

  it("int4 codes pack two per byte and unpack to themselves", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -7, max: 7 }), { minLength: 1, maxLength: 200 }), (values) => {
        const codes = Int8Array.from(values);
        const packed = new Uint8Array(Math.ceil(codes.length / 2));
        packInt4(codes, packed);
        const back = new Int8Array(codes.length);
        unpackInt4(packed, back);
        expect([...back]).toEqual(values);
      }),
    );
  });

  it("the hook kvScaleUnsignedRange clips: a group's largest value comes back at about half", () => {
    const x = Float32Array.from({ length: 32 }, (_, i) => (i + 1) / 32);
    for (const bits of [8, 4] as const) {
      const codes = new Int8Array(32);
      const scales = new Float32Array(1);
      quantizeGroups(x, codes, scales, { bits, groupSize: 32, sparsity: 0 }, { kvScaleUnsignedRange: true });
      expect(codes[31]).toBe(qmaxOf(bits));
      expect(codes[31] * scales[0]).toBeCloseTo((bits === 8 ? 127 / 255 : 7 / 15), 2);
    }
  });

  it("options are checked: bits, group size, sparsity range, group dividing head_dim", () => {
    const code = (o: Partial<KvQuantOptions>, headDim?: number) => {
      try {
        checkKvOptions({ bits: 8, groupSize: 32, sparsity: 0, ...o } as KvQuantOptions, headDim);
        return "ok";
      } catch (e) {
        return isRefuteError(e) ? `${e.code}: ${e.message}` : String(e);
      }
    };
    expect(code({}, 64)).toBe("ok");
    expect(code({ bits: 6 as 8 })).toMatch(/^KV_BAD_OPTIONS: bits must be 8 or 4/);
    expect(code({ groupSize: 16 as 32 })).toMatch(/^KV_BAD_OPTIONS: group size must be 32, 64 or 128/);
    expect(code({ sparsity: 1 })).toMatch(/^KV_BAD_OPTIONS: sparsity must be a ratio in \[0, 1\)/);
    expect(code({ sparsity: -0.1 })).toMatch(/^KV_BAD_OPTIONS/);
    expect(code({ groupSize: 64 }, 32)).toBe("KV_GROUP_NOT_DIVIDING: group size 64 does not divide head_dim 32: a group must not straddle two heads");
  });
});
