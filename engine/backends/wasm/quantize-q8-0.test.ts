import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FP16_TABLE, fp16BitsToFp32 } from "../../quant/half.ts";
import { quantizeRowQ8_0 } from "../../quant/q8_0.ts";
import { ARENA_START, availableKernelVariants, FP16_TABLE_OFFSET, kernelMemory, kernelModule, type KernelVariant } from "./module.ts";

// Each variant's quantize_q8_0 against engine/quant's quantize_row_q8_0_ref, byte for byte: the
// scale (f16-rounded) and every quant, read back from the variant's own layout (module.ts's
// kernel files say where each lies). Blocks whose scale puts values exactly halfway between two
// integers (d a power of two) pin roundf's ties, which a product test's rounding bound might pass.

const NB = 6;

interface Quantized {
  flag: number;
  /** per block: the scale as the products read it, and the 32 quants in element order */
  blocks: { d: number; qs: number[]; extra: string | null }[];
}

async function quantizer(variant: KernelVariant): Promise<(x: Float32Array) => Quantized> {
  const memory = kernelMemory("memory32", Math.ceil(ARENA_START / 65536) + 4);
  const instance = new WebAssembly.Instance(await kernelModule(variant), { env: { memory } });
  const quantize = instance.exports.quantize_q8_0 as (x: number, a: number, nb: number) => number;
  new Float32Array(memory.buffer).set(FP16_TABLE, FP16_TABLE_OFFSET / 4);
  const xAt = ARENA_START;
  const aAt = ARENA_START + NB * 128;
  return (x) => {
    const nb = x.length / 32;
    new Float32Array(memory.buffer, xAt, x.length).set(x);
    const flag = quantize(xAt, aAt, nb);
    const bytes = new Uint8Array(memory.buffer, aAt, nb * 144 + 64);
    const view = new DataView(memory.buffer, aAt, nb * 144 + 64);
    return { flag, blocks: Array.from({ length: nb }, (_, b) => readBlock(variant, bytes, view, nb, b)) };
  };
}

/** Block b of nb as the variant lays it out (kernels.wat, kernels-relaxed.wat, kernels-revec.wat headers). */
function readBlock(variant: KernelVariant, bytes: Uint8Array, view: DataView, nb: number, b: number): Quantized["blocks"][number] {
  if (variant === "simd") {
    // int16 quants, de-interleaved: even 0..14, odd 1..15, even 16..30, odd 17..31
    const qs = Array.from({ length: 32 }, (_, j) => {
      const half = j >> 4;
      const slot = half * 2 + (j & 1);
      return view.getInt16(64 * b + 16 * slot + 2 * ((j & 15) >> 1), true);
    });
    return { d: view.getFloat32(64 * nb + 4 * b, true), qs, extra: null };
  }
  if (variant === "revec") return readPairBlock(bytes, view, nb, b);
  // relaxed: qs [32] in order, p [32], n [32] at 96b; d [nb] at 96nb; c [nb] at 100nb
  const qs = Array.from({ length: 32 }, (_, j) => (bytes[96 * b + j] << 24) >> 24);
  const d = view.getFloat32(96 * nb + 4 * b, true);
  const p = Array.from(bytes.subarray(96 * b + 32, 96 * b + 64));
  const n = Array.from(bytes.subarray(96 * b + 64, 96 * b + 96));
  const c = Array.from({ length: 4 }, (_, i) => view.getInt32(100 * nb + 16 * b + 4 * i, true));
  return { d, qs, extra: derivedMismatch(qs, d, p, n, c, null) };
}

/** kernels-revec.wat's pair layout: pair b >> 1 at 128 (b >> 1), this block's half of each 32 bytes at + 16 (b & 1): qs lo, qs hi, c, d splat; then per block at 128 ceil(nb / 2) + 80 b: p, n, d splat. */
function readPairBlock(bytes: Uint8Array, view: DataView, nb: number, b: number): Quantized["blocks"][number] {
  const q = 128 * (b >> 1) + 16 * (b & 1);
  const qs = Array.from({ length: 32 }, (_, j) => (bytes[q + (j < 16 ? j : 32 + j - 16)] << 24) >> 24);
  const c = Array.from({ length: 4 }, (_, i) => view.getInt32(q + 64 + 4 * i, true));
  const dv = Array.from({ length: 4 }, (_, i) => view.getFloat32(q + 96 + 4 * i, true));
  const pn = 128 * Math.ceil(nb / 2) + 80 * b;
  const p = Array.from(bytes.subarray(pn, pn + 32));
  const n = Array.from(bytes.subarray(pn + 32, pn + 64));
  const dv8 = Array.from({ length: 4 }, (_, i) => view.getFloat32(pn + 64 + 4 * i, true));
  return { d: dv[0], qs, extra: derivedMismatch(qs, dv[0], p, n, c, [...dv, ...dv8]) };
}

/** The layout's parts derived from the quants and the scale, where they differ from what they should be (null: none). */
function derivedMismatch(qs: number[], d: number, p: number[], n: number[], c: number[], splats: number[] | null): string | null {
  const expectC = [0, 1, 2, 3].map((i) => -8 * [0, 1, 2, 3].reduce((s, k) => s + qs[4 * i + k] + qs[16 + 4 * i + k], 0));
  const extra = [
    p.join() === qs.map((v) => Math.max(v, 0)).join() ? "" : `p ${p}`,
    n.join() === qs.map((v) => Math.max(-v, 0)).join() ? "" : `n ${n}`,
    c.join() === expectC.join() ? "" : `c ${c}`,
    splats === null || splats.every((v) => Object.is(v, d)) ? "" : `d splat ${splats}`,
  ].join("");
  return extra || null;
}

function reference(x: Float32Array): Quantized["blocks"] {
  const q = quantizeRowQ8_0(x);
  return Array.from({ length: x.length / 32 }, (_, b) => ({
    d: fp16BitsToFp32(q[34 * b] | (q[34 * b + 1] << 8)),
    qs: Array.from(q.subarray(34 * b + 2, 34 * b + 34), (v) => (v << 24) >> 24),
    extra: null,
  }));
}

/** One block: random values, or halves of a power of two with one at 127 of them (d = that power, ties exact). */
const block = fc.oneof(
  fc.record({ e: fc.integer({ min: -40, max: 40 }), v: fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 32, maxLength: 32 }) }).map(({ e, v }) => v.map((t) => t * 2 ** e)),
  fc
    .record({ e: fc.integer({ min: -20, max: 20 }), sign: fc.constantFrom(1, -1), at: fc.nat(31), k: fc.array(fc.integer({ min: -254, max: 254 }), { minLength: 32, maxLength: 32 }), nudge: fc.array(fc.constantFrom(0, 0, 1, -1), { minLength: 32, maxLength: 32 }) })
    .map(({ e, sign, at, k, nudge }) =>
      k.map((h, j) => {
        if (j === at) return sign * 127 * 2 ** e;
        const v = Math.fround((h / 2) * 2 ** e);
        return nudge[j] === 0 || v === 0 ? v : nextFloat(v, nudge[j]);
      }),
    ),
  fc.constant(new Array<number>(32).fill(0)),
);

function nextFloat(v: number, direction: number): number {
  const f = new Float32Array([v]);
  const u = new Int32Array(f.buffer);
  u[0] += direction * Math.sign(v);
  return f[0];
}

describe("quantize_q8_0 of every kernel variant", () => {
  for (const variant of availableKernelVariants()) {
    it(`${variant}: the scale and every quant of quantize_row_q8_0_ref, ties included; the layout's derived parts agree`, async () => {
      const quantize = await quantizer(variant);
      fc.assert(
        fc.property(fc.array(block, { minLength: 1, maxLength: NB }), (blocks) => {
          const x = Float32Array.from(blocks.flat());
          const got = quantize(x);
          expect(got.flag).toBe(0);
          expect(got.blocks).toEqual(reference(x));
        }),
        { numRuns: 300 },
      );
    });

    it(`${variant}: flags a row with a non-finite value wherever it is`, async () => {
      const quantize = await quantizer(variant);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (let at = 0; at < 96; at++) {
          const x = new Float32Array(96).map((_, i) => Math.sin(i));
          x[at] = bad;
          expect(quantize(x).flag, `${bad} at ${at}`).toBe(1);
        }
      }
      expect(quantize(new Float32Array(96).fill(3.4e38)).flag).toBe(0);
    });
  }
});
