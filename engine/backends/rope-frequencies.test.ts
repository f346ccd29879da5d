// The RoPE table cache hands every caller what ropeTable computes for that frequency set and
// position, one shared table per pair, and keeps frequency sets apart.

import { expect, it } from "vitest";
import { cachedRopeTable, plainRopeFrequencies, ropeTable } from "./rope-frequencies.ts";

it("a cached table is ropeTable's, computed once per frequency set and position", () => {
  const a = plainRopeFrequencies(64, 10000);
  const b = plainRopeFrequencies(64, 1e6);
  for (const position of [0, 1, 37, 511, 65535, 70000]) {
    expect(cachedRopeTable(a, position)).toEqual(ropeTable(a, position));
    expect(cachedRopeTable(b, position)).toEqual(ropeTable(b, position));
    expect(cachedRopeTable(a, position)).not.toEqual(position === 0 ? null : cachedRopeTable(b, position));
  }
  expect(cachedRopeTable(a, 37)).toBe(cachedRopeTable(a, 37));
  expect(cachedRopeTable(a, 70000)).not.toBe(cachedRopeTable(a, 70000)); // past the cached positions: computed each time
});
