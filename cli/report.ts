// `refute report merge <files...> -o <dir>`: merge shard reports (latest.json of each
// shard) into one report, and write it with its markdown, JUnit and badge into <dir>.
// `refute report readme`: the README's scoreboard and badge from reports/latest.json.

import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { isRefuteError } from "../core/errors.ts";
import { currentBadgeUrl, rawBadgeUrl, renderReadme } from "../gates/github/scoreboard.ts";
import { mergeReports } from "../gates/merge.ts";
import type { Report } from "../gates/report.ts";
import { writeAtomic } from "../core/atomic-write.ts";
import { readReport, writeReports } from "../gates/write.ts";

const HELP = `usage: refute report merge <report.json...> -o <dir> [--no-history]
       refute report readme [--reports <dir>] [--readme <file>] [--check]
                            [--badge-url <url> | --repo <owner/name>] [--branch <name>]

merge: merges the latest.json of several shard runs (pnpm gates --shard k/n) into one
report and writes latest.json, latest.md, junit.xml, badge.json, badge.svg into <dir>,
appending one line to <dir>/history.jsonl. A check present in two inputs is an error (exit 2).
Exit code: 0 nothing falsified, 1 something falsified, 2 usage or input error.

readme: rewrites the scoreboard of <file> (default README.md), the region between
<!-- scoreboard:start --> and <!-- scoreboard:end -->, from <dir>/latest.json (default
reports/): per-suite table, overall line, falsified claims, date and commit of the run; and
the badge line under the title: the shields.io endpoint badge reading <dir>/badge.json from
the repository's raw files, with the offline <dir>/badge.svg beside it.
  --badge-url <url>   the raw URL of badge.json, as given
  --repo <o/n>        a github.com repository (raw.githubusercontent.com/<o/n>/<branch>/...)
  --branch <name>     the branch whose badge.json is shown (default $GITHUB_REF_NAME, else
                      the current branch, else main)
  --check             change nothing; exit 1 when the README is not what would be written
Without --badge-url or --repo the URL comes from \`git remote get-url origin\`, else from
the README's current badge line; with none, only the offline badge is shown. Without a
report, the region says that no run is recorded yet.
Exit code: 0 written (or current), 1 stale with --check, 2 usage or input error.`;

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
      options: {
        out: { type: "string", short: "o" },
        "no-history": { type: "boolean", default: false },
        reports: { type: "string", default: "reports" },
        readme: { type: "string", default: "README.md" },
        check: { type: "boolean", default: false },
        "badge-url": { type: "string" },
        repo: { type: "string" },
        branch: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    const [sub, ...files] = positionals;
    if (values.help) {
      deps.out(HELP);
      return 0;
    }
    const usage = (problem: string) => {
      deps.err(`refute report: ${problem}\n\n${HELP}`);
      return 2;
    };
    if (sub === undefined) return usage("missing subcommand");
    if (sub === "readme") return files.length > 0 ? usage(`readme takes no file arguments (found ${files.join(" ")})`) : await readmeCommand(values, deps);
    if (sub !== "merge") return usage(`unknown subcommand '${sub}'`);
    if (files.length === 0) return usage("no reports to merge");
    if (!values.out) return usage("missing -o <dir>");
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

interface ReadmeOptions {
  reports: string;
  readme: string;
  check: boolean;
  "badge-url"?: string;
  repo?: string;
  branch?: string;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || null;
  } catch {
    return null;
  }
}

/** The raw URL of badge.json: as given, from --repo, from the origin remote, or what the README has. */
function badgeUrl(options: ReadmeOptions, readme: string, badgePath: string): string | null {
  if (options["badge-url"]) return options["badge-url"];
  const cwd = dirname(resolve(options.readme));
  const head = git(["rev-parse", "--abbrev-ref", "HEAD"], cwd);
  const branch = options.branch ?? (process.env.GITHUB_REF_NAME || null) ?? (head !== "HEAD" ? head : null) ?? "main";
  if (options.repo) return rawBadgeUrl(`https://github.com/${options.repo}`, branch, badgePath);
  const remote = git(["remote", "get-url", "origin"], cwd);
  return (remote && rawBadgeUrl(remote, branch, badgePath)) ?? currentBadgeUrl(readme);
}

async function readmeCommand(options: ReadmeOptions, deps: ReportDeps): Promise<number> {
  const file = join(options.reports, "latest.json");
  let report: Report | null = null;
  try {
    report = await readReport(file);
  } catch (e) {
    if (!(isRefuteError(e) && e.code === "E_REPORT_MISSING")) throw e;
    deps.err(`no ${file}: the scoreboard says that no run is recorded yet`);
  }
  const current = await readFile(options.readme, "utf8");
  // Links in the README are relative to the README's folder.
  const reportsPath = relative(dirname(options.readme), options.reports).split(sep).join("/") || ".";
  // The raw URL names badge.json by its path in the repository.
  const root = git(["rev-parse", "--show-toplevel"], dirname(resolve(options.readme))) ?? dirname(resolve(options.readme));
  const badgePath = relative(root, resolve(options.reports, "badge.json")).split(sep).join("/");
  const next = renderReadme(current, report, badgeUrl(options, current, badgePath), reportsPath);
  if (options.check) {
    if (next === current) {
      deps.out(`${options.readme} scoreboard is current${report ? ` with ${file}` : " (no run recorded yet)"}`);
      return 0;
    }
    deps.err(`${options.readme} scoreboard is stale: run \`pnpm report readme\``);
    return 1;
  }
  if (next !== current) await writeAtomic(options.readme, next);
  const s = report?.summary;
  deps.out(`${next === current ? "unchanged" : "wrote"} ${options.readme}: ${s ? `${s.corroborated}/${s.total} corroborated, ${s.falsified} falsified, ${s.blocked} blocked` : "no run recorded yet"}`);
  return 0;
}
