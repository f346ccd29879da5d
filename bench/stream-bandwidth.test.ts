// The memory-bandwidth reference: each thread's share of the region is read whole (its sum is
// checked against the indices the region holds, so a pass that skipped bytes throws), the
// shares tile the region exactly, and the figure is bytes over time.

import { expect, it } from "vitest";
import { indexSum, StreamReference, streamShares } from "./stream-bandwidth.ts";

it("indexSum is the int32 sum of the word indices in a range, wrapping as the kernel's i32 adds do", () => {
  const direct = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s = (s + i) | 0;
    return s;
  };
  for (const [from, to] of [[0, 0], [0, 1], [5, 37], [0, 100_000], [65_536, 300_000], [1_000_000, 1_000_003]]) expect(indexSum(from, to)).toBe(direct(from, to));
});

it("the shares tile the region in 128-byte steps, one per thread", () => {
  expect(streamShares(1024, 3)).toEqual([[0, 256], [256, 640], [640, 1024]]);
  expect(streamShares(1000, 2)).toEqual([[0, 384], [384, 896]]); // a tail short of a step is left out
});

it.each([1, 2])("streams the region on %i thread(s), every pass's sums checked, as often as asked", async (threads) => {
  const reference = await StreamReference.open(threads, 8);
  try {
    expect([reference.threads, reference.bytes]).toEqual([threads, 8 * 2 ** 20]);
    for (let round = 0; round < 2; round++) {
      const result = reference.measure(3);
      expect(result.samplesGBps).toHaveLength(3);
      for (const gbps of result.samplesGBps) expect(gbps).toBeGreaterThan(0);
      expect(result.gbps).toBe(Math.max(...result.samplesGBps));
    }
  } finally {
    await reference.close();
  }
}, 30_000);
