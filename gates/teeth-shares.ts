// How a `gates --teeth --jobs N` run splits the faults between its N processes: the longest
// processing time first, by each fault's pass time in an earlier teeth run (the published
// reports/teeth.json), each to the share with the least time so far, so the shares end together
// (round robin left one a minute behind the other: the catalogue's neighbours differ in cost).
// Faults the earlier run did not time count the mean of those it did (or 1 each, for none).

import type { TeethReport } from "./teeth.ts";

/** Each fault's pass time (ms) in a teeth report; empty for none. */
export function faultDurations(report: Pick<TeethReport, "faults"> | null): Map<string, number> {
  return new Map((report?.faults ?? []).filter((f) => typeof f.durationMs === "number" && f.durationMs >= 0).map((f) => [f.fault, f.durationMs]));
}

/** `faults` in `jobs` shares of about equal expected time, each share in the order the faults were given. */
export function balancedShares(faults: readonly string[], jobs: number, durations: ReadonlyMap<string, number>): string[][] {
  const known = faults.flatMap((f) => (durations.has(f) ? [durations.get(f) as number] : []));
  const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const cost = (f: string) => durations.get(f) ?? mean;
  const order = faults.map((f, i) => ({ f, i })).sort((a, b) => cost(b.f) - cost(a.f) || a.i - b.i);
  const shares = Array.from({ length: Math.min(jobs, faults.length) }, () => ({ total: 0, faults: [] as { f: string; i: number }[] }));
  for (const item of order) {
    const lightest = shares.reduce((best, s) => (s.total < best.total ? s : best));
    lightest.total += cost(item.f);
    lightest.faults.push(item);
  }
  return shares.map((s) => s.faults.sort((a, b) => a.i - b.i).map((x) => x.f));
}
