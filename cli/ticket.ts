// `refute ticket`: GitHub issue markdown for each refutation in the latest report, one
// ticket per claim and subject group, each with its fingerprint marker; with --file, the
// same tickets kept in step with the issues of a GitHub repository (gates/github/).

import { join } from "node:path";
import { RefuteError } from "../core/errors.ts";
import { createIssueTracker, DEFAULT_BASE_URL, redactor, type ClientTuning, type IssueTracker } from "../gates/github/client.ts";
import { applyPlan, readRemote, type ActionResult, type ApplyOptions } from "../gates/github/filer.ts";
import type { Action, FilingPlan } from "../gates/github/plan.ts";
import type { Report } from "../gates/report.ts";
import { buildTickets, groupStates } from "../gates/ticket.ts";
import { readReport } from "../gates/write.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

const DESCRIPTION = `Prints GitHub issue markdown for each falsified claim and subject group in <reports>/latest.json: title, prediction, observation, evidence (token diff with the first divergence marked, the oracle's top-k there), the command that reproduces it, the environment, and a hidden <!-- refute:fingerprint=... --> marker that stays the same while the same check keeps failing.

With --file, keeps those tickets in step with the issues of a GitHub repository, one issue per fingerprint, labelled 'refute'. A falsified check with no issue yet: create it (and the label if missing); with an open issue whose evidence changed: comment once and show the new evidence in the body; with a closed issue: reopen it with a comment (not if it was closed as not planned). A check corroborated again whose issue is open: close it with a comment. Anything else: no change. --file alone is a dry run: it reads the repository's issues and prints exactly the actions it would take, changing nothing. Add --apply to take them.

The token is read from the environment variable GITHUB_TOKEN only (a dry run reads anonymously without it) and is never printed.
Exit code: 0 done (or planned), 1 an action failed (the others were still taken), 2 usage error, missing or invalid report, or GitHub could not be read.`;

export interface TicketDeps extends Output {
  /** Where GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Retry and rate-limit timing of the GitHub client (tests make it fast). */
  tuning?: Partial<ClientTuning>;
  apply?: Omit<ApplyOptions, "log">;
  /** Replaces the GitHub client (default: @octokit/rest against --base-url). */
  tracker?: (options: { repo: string; token?: string; baseUrl: string; log: (line: string) => void }) => IssueTracker;
}

interface TicketOptions {
  reports: string;
  file?: boolean;
  apply?: boolean;
  repo?: string;
  baseUrl?: string;
  json?: boolean;
}

export function run(argv: string[]): Promise<number> {
  return ticketCommand(argv, consoleOutput);
}

export function ticketCommand(argv: string[], deps: TicketDeps): Promise<number> {
  const env = deps.env ?? process.env;
  const token = env.GITHUB_TOKEN || undefined;
  // Everything this command prints passes through the redactor: help, errors and results.
  const redact = redactor(token);
  const io: Output = { out: (t) => deps.out(redact(t)), err: (t) => deps.err(redact(t)) };
  const command = refuteCommand("ticket", io)
    .description(DESCRIPTION)
    .option("--reports <dir>", "where latest.json is; a shard's report is refused", "reports")
    .option("--file", "plan (and with --apply, perform) the GitHub issue updates")
    .option("--apply", "with --file, perform the planned actions (needs GITHUB_TOKEN)")
    .option("--repo <owner/name>", "with --file, the repository (default: $GITHUB_REPOSITORY)")
    .option("--base-url <url>", `with --file, the REST API root (default: $GITHUB_API_URL, else ${DEFAULT_BASE_URL}; for GitHub Enterprise: https://<host>/api/v3)`)
    .option("--json", "one JSON object: without --file {tickets, groups}; with --file {mode, repo, plan: {actions, untouched, warnings}, results}");
  onRun(command, async (options: TicketOptions) => {
    if (!options.file) {
      const stray = (["apply", "repo", "baseUrl"] as const).find((k) => options[k] !== undefined);
      if (stray) throw new RefuteError("E_USAGE", `--${stray === "baseUrl" ? "base-url" : stray} needs --file`, { option: stray });
    }
    const file = join(options.reports, "latest.json");
    const report = await readReport(file);
    if (options.file) {
      const repo = options.repo ?? env.GITHUB_REPOSITORY;
      if (!repo) throw new RefuteError("E_USAGE", "--file needs --repo <owner/name> (or GITHUB_REPOSITORY)", { option: "repo" });
      if (options.apply && !token) throw new RefuteError("E_USAGE", "--apply needs a token in the environment variable GITHUB_TOKEN", { option: "apply" });
      const baseUrl = options.baseUrl ?? env.GITHUB_API_URL ?? DEFAULT_BASE_URL;
      return await fileTickets({ report, file, repo, baseUrl, token, apply: options.apply === true, json: options.json === true }, deps, io);
    }
    const tickets = buildTickets(report);
    if (options.json) {
      io.out(JSON.stringify({ report: file, tickets, groups: groupStates(report) }));
      return 0;
    }
    if (tickets.length === 0) {
      io.err(`no refutations in ${file} (${report.summary.total} checks, ${report.summary.blocked} blocked)`);
      return 0;
    }
    io.out(tickets.map((t) => `# ${t.title}\n\nLabels: ${t.labels.join(", ")}\n\n${t.body}`).join("\n---\n\n"));
    return 0;
  });
  return runCommand(command, argv, io);
}

interface FileRequest {
  report: Report;
  file: string;
  repo: string;
  baseUrl: string;
  token: string | undefined;
  apply: boolean;
  json: boolean;
}

async function fileTickets(req: FileRequest, deps: TicketDeps, io: Output): Promise<number> {
  const log = (line: string) => io.err(line);
  const tracker = deps.tracker
    ? deps.tracker({ repo: req.repo, token: req.token, baseUrl: req.baseUrl, log })
    : createIssueTracker({ repo: req.repo, token: req.token, baseUrl: req.baseUrl, log, tuning: deps.tuning });
  const { plan, remote } = await readRemote(tracker, req.report);
  const results = req.apply ? await applyPlan(tracker, req.report, plan, { ...deps.apply, log }) : null;
  const failed = results?.filter((r) => !r.ok).length ?? 0;
  if (req.json) {
    io.out(JSON.stringify({ mode: req.apply ? "apply" : "dry-run", repo: tracker.repo, baseUrl: req.baseUrl, report: req.file, issuesFound: remote.issues.length, plan, results }));
  } else {
    io.out(renderFiling(req, plan, remote.issues.length, results));
  }
  return failed > 0 ? 1 : 0;
}

const quote = (s: string) => JSON.stringify(s);

/** One line per planned action: what kind, which issue, which title. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case "label":
      return `label    create label ${quote(a.label)} (#${a.color})`;
    case "create":
      return `create   new issue ${quote(a.title)} labelled ${a.labels.join(", ")}`;
    case "comment":
      return `comment  #${a.issue} ${quote(a.title)}: evidence changed (${a.previous ?? "none"} -> ${a.evidence}); comment, then update the body`;
    case "reopen":
      return `reopen   #${a.issue} ${quote(a.title)}: falsified again; comment, then reopen with the new evidence`;
    case "close":
      return `close    #${a.issue} ${quote(a.title)}: all its checks corroborate; comment, then close`;
    case "keep":
      return `no-op    #${a.issue} ${quote(a.title)}: ${a.reason}`;
  }
}

function renderFiling(req: FileRequest, plan: FilingPlan, found: number, results: ActionResult[] | null): string {
  const s = req.report.summary;
  const changes = plan.actions.filter((a) => a.kind !== "keep").length;
  const lines = [
    `refute ticket --file${req.apply ? " --apply" : ""}: ${req.repo} at ${req.baseUrl}${req.token ? "" : " (no GITHUB_TOKEN: read anonymously)"}`,
    `report ${req.file}: commit ${req.report.run.gitSha?.slice(0, 12) ?? "unknown"}, ${s.total} checks, ${s.falsified} falsified; ${found} refute issue(s) found`,
    `${results ? "actions" : "planned actions"} (${changes} change${changes === 1 ? "" : "s"}, ${plan.actions.length - changes} no-op):`,
  ];
  plan.actions.forEach((a, i) => {
    const r = results?.[i];
    lines.push(`  ${describeAction(a)}${r ? (r.ok ? `  -> ${r.done}${r.recovered ? ` (recovered: ${r.recovered.join("; ")})` : ""}` : `  -> FAILED: ${r.error}`) : ""}`);
  });
  if (plan.actions.length === 0) lines.push("  (none)");
  if (plan.untouched.length > 0) lines.push(`left alone: ${plan.untouched.map((n) => `#${n}`).join(", ")} (open, not covered by this report)`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  if (!results) lines.push(changes === 0 ? "dry run: nothing to change." : "dry run: nothing was changed; run again with --apply to take these actions.");
  else {
    const failed = results.filter((r) => !r.ok).length;
    lines.push(`applied: ${results.length - failed} done, ${failed} failed`);
  }
  return lines.join("\n");
}
