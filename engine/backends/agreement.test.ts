// The kernel-agreement judge: NMSE as test-backend-ops defines it, and cases that a faulty
// kernel cannot pass while the reference passes against itself bit for bit.

import { describe, expect, it } from "vitest";
import { agrees, compareKernel, KERNEL_CASES, nmse } from "./agreement.ts";
import { cpuKernels } from "./cpu/kernels.ts";
import { withAdjacentPairRope, withGqaModuloHeads } from "./faulty.ts";

// the cases that run in milliseconds on the TypeScript reference
const SMALL = KERNEL_CASES.filter((c) => !/rows=(1536|2048|4096)|rows=576 cols=1536|n=(49152|151936)|length.*1024/.test(c.params));

describe("nmse", () => {
  it("is sum (e - o)^2 / sum e^2, 0 for equal arrays, Infinity where NaN-ness differs", () => {
    expect(nmse(Float32Array.of(1, 2), Float32Array.of(1, 2))).toBe(0);
    expect(nmse(Float32Array.of(3, 4), Float32Array.of(3, 5))).toBeCloseTo(1 / 25, 12);
    expect(nmse(Float32Array.of(NaN, 1), Float32Array.of(NaN, 1))).toBe(0);
    expect(nmse(Float32Array.of(NaN, 1), Float32Array.of(0, 1))).toBe(Infinity);
    expect(nmse(Float32Array.of(0, 0), Float32Array.of(0, 2))).toBe(4); // a zero reference: the plain squared error
    expect(nmse(Float32Array.of(1), Float32Array.of(1, 1))).toBe(Infinity);
  });
});

it("the reference agrees with itself bit for bit on every case", () => {
  expect(SMALL.length).toBeGreaterThan(30);
  for (const c of SMALL) {
    const a = compareKernel(c, cpuKernels, cpuKernels);
    expect(a.identical && agrees(a), `${c.op} ${c.params}`).toBe(true);
  }
});

it.each([
  ["withAdjacentPairRope", "ROPE", withAdjacentPairRope],
  ["withGqaModuloHeads", "ATTENTION", withGqaModuloHeads],
] as const)("%s fails the %s cases it touches", (_name, op, wrap) => {
  const faulty = wrap(cpuKernels);
  const results = SMALL.filter((c) => c.op === op).map((c) => compareKernel(c, faulty, cpuKernels));
  // RoPE at position 0 rotates nothing, whatever the pairing; the KV-head mapping only
  // matters with several KV heads, each shared by several query heads
  const telling = results.filter((r) => {
    if (op === "ROPE") return !r.params.includes("pos=0 ");
    const [, heads, kvHeads] = /heads=(\d+) kvHeads=(\d+)/.exec(r.params)!.map(Number);
    return kvHeads > 1 && heads > kvHeads;
  });
  expect(telling.length).toBeGreaterThan(0);
  for (const r of telling) expect(agrees(r), `${r.op} ${r.params}: NMSE ${r.nmse}`).toBe(false);
});

it("argmax is judged exactly", () => {
  const [argmax] = KERNEL_CASES.filter((c) => c.op === "ARGMAX");
  const offByOne = { ...cpuKernels, argmax: (x: Float32Array) => cpuKernels.argmax(x) + 1 };
  expect(agrees(compareKernel(argmax, offByOne, cpuKernels))).toBe(false);
});

it("a case's inputs, made once and reused, give what freshly made ones give, however often it is compared", () => {
  // the inputs outlive one comparison (the teeth run compares every case in each fault's pass):
  // a kernel that wrote into them would make the next comparison differ
  for (const c of SMALL) {
    const first = compareKernel(c, cpuKernels, cpuKernels);
    const again = compareKernel(c, cpuKernels, cpuKernels);
    expect(again).toEqual(first);
    expect(c.prepare()(cpuKernels), `${c.op} ${c.params}`).toEqual(c.prepare()(cpuKernels));
  }
});
