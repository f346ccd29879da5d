// `refute report merge <files...> -o <dir>`: merge shard reports (latest.json of each
// shard) into one report, and write it with its markdown, JUnit and badge into <dir>.

import { parseArgs } from "node:util";
import { isRefuteError } from "../engine/errors.ts";
import { mergeReports } from "../gates/merge.ts";
import { readReport, writeReports } from "../gates/write.ts";

const HELP = `usage: refute report merge <report.json...> -o <dir> [--no-history]

Merges the latest.json of several shard runs (pnpm gates --shard k/n) into one report and
writes latest.json, latest.md, junit.xml, badge.json, badge.svg into <dir>, appending one
line to <dir>/history.jsonl. A check present in two inputs is an error (exit 2).
Exit code: 0 nothing falsified, 1 something falsified, 2 usage or input error.`;

export interface ReportDeps {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultDeps: ReportDeps = { out: (t) => console.log(t), err: (t) => console.error(t) };

export function run(argv: string[]): Promise<number> {
  return reportCommand(argv, defaultDeps);
}

export async function reportCommand(argv: string[], deps: ReportDeps): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { out: { type: "string", short: "o" }, "no-history": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
      allowPositionals: true,
      strict: true,
    });
    const [sub, ...files] = positionals;
    if (values.help) {
      deps.out(HELP);
      return 0;
    }
    if (sub !== "merge" || files.length === 0 || !values.out) {
      deps.err(`refute report: ${sub === undefined ? "missing subcommand" : sub !== "merge" ? `unknown subcommand '${sub}'` : files.length === 0 ? "no reports to merge" : "missing -o <dir>"}\n\n${HELP}`);
      return 2;
    }
    const reports = await Promise.all(files.map((f) => readReport(f)));
    const merged = mergeReports(reports, files);
    const written = await writeReports(merged, values.out, { history: !values["no-history"] });
    const s = merged.summary;
    deps.out(`merged ${files.length} reports: ${s.corroborated}/${s.total} corroborated, ${s.falsified} falsified, ${s.blocked} blocked\nreports: ${written.join(", ")}`);
    return s.falsified > 0 ? 1 : 0;
  } catch (e) {
    if (isRefuteError(e)) {
      deps.err(`refute report: ${e.message} [${e.code}]`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      deps.err(`refute report: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}
