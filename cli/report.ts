// `refute report merge <files...> -o <dir>`: merge shard reports (latest.json of each
// shard) into one report, and write it with its markdown, JUnit and badge into <dir>.
// `refute report readme`: the README's scoreboard and badge from reports/latest.json.
// `refute report publish`: a run directory's reports into the committed reports/, then the scoreboard.
// `refute report diff OLD NEW`: what changed between two runs (reports or history lines).

import { execFileSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import { writeAtomic } from "../core/atomic-write.ts";
import { isRefuteError, RefuteError } from "../core/errors.ts";
import { currentBadgeUrl, rawBadgeUrl, renderReadme } from "../gates/github/scoreboard.ts";
import { mergeReports } from "../gates/merge.ts";
import { readRun } from "../gates/read-run.ts";
import { DEFAULT_TOLERANCE, diffRuns, parseTolerance, renderDiff } from "../gates/run-diff.ts";
import { replacementNote } from "../gates/partial-run.ts";
import type { Report } from "../gates/report.ts";
import { readReport, RUN_DIR, writeReports } from "../gates/write.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

export type ReportDeps = Output;

export function run(argv: string[]): Promise<number> {
  return reportCommand(argv, consoleOutput);
}

export function reportCommand(argv: string[], io: ReportDeps): Promise<number> {
  const report = refuteCommand("report", io).description("Shard reports merged into one; the README's scoreboard and badge from a report; what changed between two runs.");
  mergeCommand(report, io);
  readmeCommand(report, io);
  publishCommand(report, io);
  diffCommand(report, io);
  return runCommand(report, argv, io);
}

function mergeCommand(report: Command, io: Output): void {
  const command = report
    .command("merge")
    .summary("merge shard reports into one")
    .description(
      `Merges the latest.json of several shard runs (pnpm gates --shard k/n) into one report and writes latest.json, latest.md, junit.xml, badge.json, badge.svg into <dir>, appending one line to <dir>/history.jsonl. A check present in two inputs is an error.
Exit code: 0 nothing falsified, 1 something falsified, 2 usage or input error.`,
    )
    .argument("<reports...>", "the shards' latest.json files")
    .requiredOption("-o, --out <dir>", "where the merged report's files go")
    .option("--no-history", "append no line to <dir>/history.jsonl");
  onRun(command, async (files: string[], options: { out: string; history: boolean }) => {
    const reports = await Promise.all(files.map((f) => readReport(f)));
    const merged = mergeReports(reports, files);
    const written = await writeReports(merged, options.out, { history: options.history });
    const s = merged.summary;
    io.out(`merged ${files.length} reports: ${s.corroborated}/${s.total} corroborated, ${s.falsified} falsified, ${s.blocked} blocked\nreports: ${written.join(", ")}`);
    return s.falsified > 0 ? 1 : 0;
  });
}

function readmeCommand(report: Command, io: Output): void {
  const command = report
    .command("readme")
    .summary("regenerate the README's scoreboard and badge")
    .description(
      `Rewrites the scoreboard of the README, the region between <!-- scoreboard:start --> and <!-- scoreboard:end -->, from <reports>/latest.json: per-suite table, overall line, falsified claims, date and commit of the run; and the badge line under the title: the shields.io endpoint badge reading <reports>/badge.json from the repository's raw files, with the offline <reports>/badge.svg beside it.
Without --badge-url or --repo the URL comes from \`git remote get-url origin\`, else from the README's current badge line; with none, only the offline badge is shown. Without a report, the region says that no run is recorded yet.
Exit code: 0 written (or current), 1 stale with --check, 2 usage or input error.`,
    )
    .option("--reports <dir>", "where latest.json and badge.json are", "reports")
    .option("--readme <file>", "the README to rewrite", "README.md")
    .option("--check", "change nothing; exit 1 when the README is not what would be written")
    .option("--badge-url <url>", "the raw URL of badge.json, as given")
    .option("--repo <owner/name>", "a github.com repository (raw.githubusercontent.com/<owner/name>/<branch>/...)")
    .option("--branch <name>", "the branch whose badge.json is shown (default: $GITHUB_REF_NAME, else the current branch, else main)");
  onRun(command, (options: ReadmeOptions) => writeReadme(options, io));
}

interface ReadmeOptions {
  reports: string;
  readme: string;
  check?: boolean;
  badgeUrl?: string;
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
  if (options.badgeUrl) return options.badgeUrl;
  const cwd = dirname(resolve(options.readme));
  const head = git(["rev-parse", "--abbrev-ref", "HEAD"], cwd);
  const branch = options.branch ?? (process.env.GITHUB_REF_NAME || null) ?? (head !== "HEAD" ? head : null) ?? "main";
  if (options.repo) return rawBadgeUrl(`https://github.com/${options.repo}`, branch, badgePath);
  const remote = git(["remote", "get-url", "origin"], cwd);
  return (remote && rawBadgeUrl(remote, branch, badgePath)) ?? currentBadgeUrl(readme);
}

async function writeReadme(options: ReadmeOptions, io: Output): Promise<number> {
  const file = join(options.reports, "latest.json");
  let report: Report | null = null;
  try {
    report = await readReport(file);
  } catch (e) {
    if (!(isRefuteError(e) && e.code === "E_REPORT_MISSING")) throw e;
    io.err(`no ${file}: the scoreboard says that no run is recorded yet`);
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
      io.out(`${options.readme} scoreboard is current${report ? ` with ${file}` : " (no run recorded yet)"}`);
      return 0;
    }
    io.err(`${options.readme} scoreboard is stale: run \`pnpm report readme\``);
    return 1;
  }
  if (next !== current) await writeAtomic(options.readme, next);
  const s = report?.summary;
  io.out(`${next === current ? "unchanged" : "wrote"} ${options.readme}: ${s ? `${s.corroborated}/${s.total} corroborated, ${s.falsified} falsified, ${s.blocked} blocked` : "no run recorded yet"}`);
  return 0;
}

/**
 * The commit a run file names (bench.json's gitSha) where it is not the report's: a file left in
 * the run directory by an earlier run would otherwise be published beside a report it did not
 * come from. Null where they agree or the file names none.
 */
function otherCommit(text: string, reportSha: string | null): string | null {
  let sha: unknown;
  try {
    sha = (JSON.parse(text) as { gitSha?: unknown } | null)?.gitSha;
  } catch {
    return null; // teeth.md, hostile.md: not JSON
  }
  return typeof sha === "string" && sha !== reportSha ? sha : null;
}

/** A run directory's outputs besides the report itself, copied as they are when present. */
const RUN_FILES = ["teeth.json", "teeth.md", "bench.json", "hostile.json", "hostile.md"];

function diffCommand(report: Command, io: Output): void {
  const command = report
    .command("diff")
    .summary("what changed between two runs")
    .description(
      `Compares two runs check by check: newly falsified, newly corroborated, newly blocked, added and removed checks, and numeric observations that moved by more than --tolerance times their claim's bound. OLD and NEW are report files (latest.json) or runs of a history file: history.jsonl for its last run, history.jsonl#N for run N (negative from the end, #-2 the one before the last). A history line holds verdicts, not observations, so moves need two report files.
Exit code: 0 nothing newly falsified, 1 something newly falsified, 2 usage or input error.`,
    )
    .argument("<old>", "the earlier run: a latest.json or history.jsonl[#N]")
    .argument("<new>", "the later run: a latest.json or history.jsonl[#N]")
    .option("--tolerance <fraction>", "an observation moved when |new - old| exceeds this fraction of its claim's bound", String(DEFAULT_TOLERANCE))
    .option("--json", "print the diff as one JSON object");
  onRun(command, async (oldRun: string, newRun: string, options: { tolerance: string; json?: boolean }) => {
    const tolerance = parseTolerance(options.tolerance);
    const diff = diffRuns(await readRun(oldRun), await readRun(newRun), tolerance);
    io.out(options.json ? JSON.stringify(diff) : renderDiff(diff));
    return diff.newlyFalsified.length > 0 ? 1 : 0;
  });
}

function publishCommand(report: Command, io: Output): void {
  const command = report
    .command("publish")
    .summary("copy a run's reports into the committed reports/ and regenerate the README scoreboard")
    .description(
      `Runs write into ${RUN_DIR}/ (git-ignored), so a run leaves the tree clean; this is the one step that changes the committed reports: it writes <from>/latest.json's report into <to> (latest.json, latest.md, junit.xml, badge.json, badge.svg, one line appended to history.jsonl), copies ${RUN_FILES.join(", ")} when the run has them, and regenerates the README's scoreboard and badge from <to>.
Exit code: 0 published, 2 usage or input error (no report in <from>).`,
    )
    .option("--from <dir>", "the run directory", RUN_DIR)
    .option("--to <dir>", "the committed reports directory", "reports")
    .option("--readme <file>", "the README whose scoreboard to regenerate", "README.md")
    .option("--allow-partial", "publish a partial run (selected suites, claims, models, quants, a shard or an injected fault) over a complete report");
  onRun(command, async (options: { from: string; to: string; readme: string; allowPartial?: boolean }) => {
    const published = await readReport(join(options.from, "latest.json"));
    const note = await replacementNote(options.to, published);
    if (note && !options.allowPartial) throw new RefuteError("E_USAGE", `${note}: not published (--allow-partial publishes it anyway)`, { option: "allow-partial" });
    if (note) io.err(`refute report publish: note: ${note}`);
    // the run's teeth and bench go first, so that the report.html written next shows them
    await mkdir(options.to, { recursive: true });
    const copied: string[] = [];
    for (const name of RUN_FILES) {
      const text = await readFile(join(options.from, name), "utf8").catch(() => null);
      if (text === null) continue;
      const measuredAt = otherCommit(text, published.run.gitSha);
      if (measuredAt) io.err(`refute report publish: note: ${name} was measured at ${measuredAt.slice(0, 12)}, the report at ${published.run.gitSha?.slice(0, 12) ?? "an unknown commit"}`);
      await writeAtomic(join(options.to, name), text);
      copied.push(join(options.to, name));
    }
    const written = [...(await writeReports(published, options.to)), ...copied];
    io.out(`published ${join(options.from, "latest.json")}: ${written.join(", ")}`);
    return writeReadme({ reports: options.to, readme: options.readme }, io);
  });
}
