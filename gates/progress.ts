// Progress on stderr while a run goes: one line per check as it finishes.
//
//   [ 7/63] corroborated  canary-int8-exact-text  tiny-llama native q8_0 cpu embedded · code  0.4s
//   [ 8/63] FALSIFIED     token-int4-mismatch  tiny-llama native q4_0 cpu embedded · code  mismatched tokens = 7 > 5

import { chalkStderr } from "chalk";
import { checkLabel } from "./markdown.ts";
import type { CheckResult } from "./report.ts";

export function progressLine(r: CheckResult, done: number, total: number, color = chalkStderr): string {
  const width = String(total).length;
  const counter = `[${String(done).padStart(width)}/${total}]`;
  const verdict =
    r.verdict === "corroborated" ? color.green("corroborated") : r.verdict === "falsified" ? color.red.bold("FALSIFIED   ") : color.yellow("blocked     ");
  const tail = r.verdict === "corroborated" ? color.dim(`${(r.durationMs / 1000).toFixed(1)}s`) : r.verdict === "falsified" ? r.line : color.yellow(r.reason ?? "");
  return `${counter} ${verdict}  ${r.claim}  ${checkLabel(r)}  ${tail}`;
}
