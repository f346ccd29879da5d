// A run named on the command line (report diff, gates --baseline): a report file (latest.json),
// or a run of a history file, `history.jsonl` for its last run or `history.jsonl#N` for its
// run N (1-based, bench lines not counted; negative counts from the end: #-2 is the run
// before the last).

import { readFile } from "node:fs/promises";
import { RefuteError } from "../core/errors.ts";
import { parseHistory } from "./run-extras.ts";
import { type RunSnapshot, snapshotOfHistory, snapshotOfReport } from "./run-diff.ts";
import { readReport } from "./write.ts";

const HISTORY = /^(.*\.jsonl)(?:#(-?\d+))?$/;

export async function readRun(spec: string): Promise<RunSnapshot> {
  const history = HISTORY.exec(spec);
  if (!history) return snapshotOfReport(await readReport(spec), spec);
  const [, file, at] = history;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new RefuteError("E_REPORT_MISSING", `cannot read history ${file}: ${(e as Error).message}`, { file });
  }
  const runs = parseHistory(text);
  const n = at === undefined ? -1 : Number(at);
  const index = n < 0 ? runs.length + n : n - 1;
  const line = runs[index];
  if (n === 0 || !line) throw new RefuteError("E_USAGE", `${spec}: ${file} has ${runs.length} runs; name one as #1..#${runs.length} or #-1..#-${runs.length}`, { file, found: at ?? "-1" });
  const snapshot = snapshotOfHistory(line, `${file}#${index + 1}`);
  if (!snapshot) throw new RefuteError("E_REPORT_INVALID", `${file}#${index + 1} (${line.time}) records counts only, not each check's verdict: it predates per-check history; compare a report file instead`, { file });
  return snapshot;
}
