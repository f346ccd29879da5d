// The --jobs split: longest first to the least loaded share, every fault in exactly one share,
// each share in the catalogue's order; unknown costs count the mean of the known ones.

import { expect, it } from "vitest";
import { balancedShares, faultDurations } from "./teeth-shares.ts";

it("balances known costs that round robin would not", () => {
  const faults = ["a", "b", "c", "d", "e", "f"];
  const durations = new Map([["a", 90], ["b", 10], ["c", 80], ["d", 10], ["e", 70], ["f", 10]]);
  // round robin: a c e = 240 against b d f = 30
  const shares = balancedShares(faults, 2, durations);
  const total = (s: string[]) => s.reduce((t, f) => t + (durations.get(f) as number), 0);
  expect(shares.flat().sort()).toEqual(faults);
  expect(shares.map(total).sort()).toEqual([120, 150]); // the best split there is (round robin's: 240 against 30)
  for (const s of shares) expect(s).toEqual([...s].sort()); // in the given order
});

it("without an earlier run every fault costs the same: shares of equal count; never more shares than faults", () => {
  const shares = balancedShares(["a", "b", "c", "d", "e"], 2, faultDurations(null));
  expect(shares.map((s) => s.length).sort()).toEqual([2, 3]);
  expect(balancedShares(["a"], 4, new Map())).toEqual([["a"]]);
});

it("a fault the earlier run did not time counts the mean of those it did", () => {
  const shares = balancedShares(["new", "x", "y"], 2, faultDurations({ faults: [{ fault: "x", durationMs: 100 }, { fault: "y", durationMs: 100 }] as never }));
  expect(shares.map((s) => s.length).sort()).toEqual([1, 2]);
});
