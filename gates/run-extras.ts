// What a reports directory holds beside a run's latest.json, for the HTML report: the history
// (one line per run), the last teeth run and the last bench. Each is optional and untrusted:
// a missing, oversized or unreadable file is left out (the HTML says nothing of it), never an
// error of the run that is being written.

import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { BenchReport } from "../bench/run.ts";
import type { HtmlExtras } from "./html.ts";
import type { TeethReport } from "./teeth.ts";
import type { HistoryLine } from "./write.ts";

/** The most a file read here may hold; the history's last HISTORY_RUNS lines are kept. */
const MAX_BYTES = 64 << 20;
const HISTORY_RUNS = 200;

async function readBounded(file: string): Promise<string | null> {
  try {
    if ((await stat(file)).size > MAX_BYTES) return null;
    return await readFile(file, "utf8");
  } catch {
    return null;
  }
}

function parseJson<T>(text: string | null, valid: (v: Record<string, unknown>) => boolean): T | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) && valid(v as Record<string, unknown>) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The history's run lines (bench lines and unreadable lines left out), oldest first; the last `keep` of them. */
export function parseHistory(text: string, keep = Number.POSITIVE_INFINITY): HistoryLine[] {
  const runs: HistoryLine[] = [];
  for (const line of text.split("\n")) {
    const run = parseJson<HistoryLine>(line.trim() || null, (v) => v.kind === undefined && typeof v.total === "number" && typeof v.time === "string");
    if (run) runs.push(run);
  }
  return runs.length > keep ? runs.slice(-keep) : runs;
}

export async function readRunExtras(dir: string): Promise<HtmlExtras> {
  const [history, teeth, bench] = await Promise.all(["history.jsonl", "teeth.json", "bench.json"].map((f) => readBounded(join(dir, f))));
  return {
    ...(history === null ? {} : { history: parseHistory(history, HISTORY_RUNS) }),
    ...optional("teeth", parseJson<TeethReport>(teeth, (v) => Array.isArray(v.faults) && typeof v.summary === "object")),
    ...optional("bench", parseJson<BenchReport>(bench, (v) => v.kind === "bench" && Array.isArray(v.rows))),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}
