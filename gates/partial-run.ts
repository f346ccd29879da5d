// A partial run (one that selected suites, claims, models, quants or a shard, or injected a
// fault) is not the scoreboard: it may replace a complete report only by saying so. The gates
// command says so on stderr; `refute report publish` refuses unless told --allow-partial.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Report } from "./report.ts";

const SELECTING = new Set(["--suite", "--claim", "--model", "--quant", "--shard", "--inject"]);

/** Whether the run chose a part of the catalogue (or a faulty engine) rather than running it all. */
export function isPartial(report: Pick<Report, "run">): boolean {
  return report.run.args.some((a) => SELECTING.has(a.split("=")[0]));
}

const described = (r: Report) => `${r.summary.total} checks of ${r.run.startedAt}${isPartial(r) ? ` (${r.run.args.join(" ")})` : ""}`;

/** The warning when `next`, a partial run, is about to replace a complete report in `dir`; null otherwise. */
export async function replacementNote(dir: string, next: Report): Promise<string | null> {
  if (!isPartial(next)) return null;
  let previous: Report;
  try {
    previous = JSON.parse(await readFile(join(dir, "latest.json"), "utf8")) as Report;
  } catch {
    return null;
  }
  if (!previous?.run?.args || isPartial(previous)) return null;
  return `${join(dir, "latest.json")}: a partial run (${described(next)}) replaces the complete one (${described(previous)})`;
}
