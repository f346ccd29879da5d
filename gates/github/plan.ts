// What `ticket --file` will do on GitHub, decided from a report and the refute issues that
// exist: a list of actions, computed before anything is written, so a dry run prints exactly
// what a real run then performs. Pure: the network is in gates/github/filer.ts.
//
//   falsified group, no issue          -> create (title and body carry the fingerprint)
//   falsified, open, same evidence     -> no-op
//   falsified, open, evidence changed  -> comment once, and the body shows the new evidence
//   falsified, closed as completed     -> reopen with a comment (a regression)
//   falsified, closed as not planned   -> no-op: a maintainer decided; refute does not argue
//   corroborated group, open issue     -> close with a comment
//   blocked group, open issue          -> no-op: nothing was learned
//   open issue not in the report       -> left alone (a partial run says nothing about it)

import { RefuteError } from "../../core/errors.ts";
import type { CheckResult, Report } from "../report.ts";
import { buildTickets, groupStates } from "../ticket.ts";
import { commentBody, issueBody, issueFingerprint, parseEvidence, type RemoteIssue } from "./issues.ts";

export const REFUTE_LABEL = "refute";

export type Action =
  | { kind: "label"; label: string; color: string; description: string }
  | { kind: "create"; fingerprint: string; title: string; body: string; labels: string[]; evidence: string }
  | { kind: "comment"; fingerprint: string; issue: number; title: string; comment: string; body: string; evidence: string; previous: string | null }
  | { kind: "reopen"; fingerprint: string; issue: number; title: string; comment: string; body: string; evidence: string }
  | { kind: "close"; fingerprint: string; issue: number; title: string; comment: string }
  | { kind: "keep"; fingerprint: string; issue: number; title: string; reason: string };

export interface FilingPlan {
  actions: Action[];
  /** Open refute issues whose fingerprint this report does not cover. */
  untouched: number[];
  /** Problems worth a person's attention that change no action (duplicates found, ...). */
  warnings: string[];
}

const labelColors: Record<string, string> = {
  [REFUTE_LABEL]: "b60205",
  "severity:critical": "b60205",
  "severity:high": "d93f0b",
  "severity:medium": "fbca04",
  "severity:low": "0e8a16",
};

function labelAction(label: string): Action {
  const description =
    label === REFUTE_LABEL ? "A claim falsified by refute" : label.startsWith("suite:") ? `refute suite ${label.slice(6)}` : `refute claim ${label.replace(":", " ")}`;
  return { kind: "label", label, color: labelColors[label] ?? "1d76db", description };
}

/** Issues by fingerprint, the one refute acts on first: open before closed, then the oldest. */
export function indexIssues(issues: RemoteIssue[]): { byFingerprint: Map<string, RemoteIssue[]>; warnings: string[] } {
  const byFingerprint = new Map<string, RemoteIssue[]>();
  for (const issue of issues) {
    if (issue.isPullRequest) continue;
    const fp = issueFingerprint(issue);
    if (fp === null) continue;
    const list = byFingerprint.get(fp) ?? [];
    if (!list.some((i) => i.number === issue.number)) list.push(issue);
    byFingerprint.set(fp, list);
  }
  const warnings: string[] = [];
  for (const [fp, list] of byFingerprint) {
    list.sort((a, b) => (a.state === b.state ? a.number - b.number : a.state === "open" ? -1 : 1));
    if (list.length > 1) warnings.push(`fingerprint ${fp} has ${list.length} issues (${list.map((i) => `#${i.number} ${i.state}`).join(", ")}); refute acts on #${list[0].number} only`);
  }
  return { byFingerprint, warnings };
}

/**
 * The actions that bring GitHub in line with the report. `labels` are the repository's
 * label names. Refuses a shard's report: a group split over shards would look corroborated
 * in the shard that holds only its passing checks.
 */
export function planFiling(report: Report, issues: RemoteIssue[], labels: string[]): FilingPlan {
  if (report.run.shard !== null) {
    throw new RefuteError("E_TICKET_SHARD", `the report is shard ${report.run.shard}; merge the shards first (pnpm report merge) and file from the merged report`, {
      shard: report.run.shard,
    });
  }
  const { byFingerprint, warnings } = indexIssues(issues);
  const checksOf = new Map<string, CheckResult[]>();
  for (const c of report.checks) checksOf.set(c.fingerprint, [...(checksOf.get(c.fingerprint) ?? []), c]);

  const work: Action[] = [];
  const wantedLabels = new Set<string>();
  for (const ticket of buildTickets(report)) {
    const issue = byFingerprint.get(ticket.fingerprint)?.[0];
    const checks = checksOf.get(ticket.fingerprint)!;
    const base = { fingerprint: ticket.fingerprint, evidence: ticket.evidenceDigest };
    if (!issue) {
      work.push({ kind: "create", ...base, title: ticket.title, body: issueBody(ticket), labels: ticket.labels });
      for (const l of ticket.labels) wantedLabels.add(l);
    } else if (issue.state === "open") {
      const previous = parseEvidence(issue.body);
      if (previous === ticket.evidenceDigest) work.push({ kind: "keep", fingerprint: ticket.fingerprint, issue: issue.number, title: issue.title, reason: "open, evidence unchanged" });
      else work.push({ kind: "comment", ...base, issue: issue.number, title: issue.title, comment: commentBody("evidence", report, checks), body: issueBody(ticket), previous });
    } else if (issue.stateReason === "not_planned") {
      work.push({ kind: "keep", fingerprint: ticket.fingerprint, issue: issue.number, title: issue.title, reason: "falsified, but closed as not planned: left closed" });
    } else {
      work.push({ kind: "reopen", ...base, issue: issue.number, title: issue.title, comment: commentBody("regressed", report, checks), body: issueBody(ticket) });
    }
  }
  const covered = new Set<string>();
  for (const group of groupStates(report)) {
    covered.add(group.fingerprint);
    if (group.state === "falsified") continue;
    const issue = byFingerprint.get(group.fingerprint)?.[0];
    if (issue?.state !== "open") continue;
    if (group.state === "corroborated") {
      work.push({ kind: "close", fingerprint: group.fingerprint, issue: issue.number, title: issue.title, comment: commentBody("corroborated", report, checksOf.get(group.fingerprint)!) });
    } else {
      work.push({ kind: "keep", fingerprint: group.fingerprint, issue: issue.number, title: issue.title, reason: "blocked in this run: left open" });
    }
  }
  const have = new Set(labels);
  const labelActions = [...wantedLabels].filter((l) => !have.has(l)).map(labelAction);
  const untouched = [...byFingerprint]
    .filter(([fp]) => !covered.has(fp))
    .flatMap(([, list]) => list.filter((i) => i.state === "open").map((i) => i.number))
    .sort((a, b) => a - b);
  return { actions: [...labelActions, ...work], untouched, warnings };
}

/** The fingerprints the plan would create issues for: worth a second look before filing. */
export const fingerprintsToCreate = (plan: FilingPlan) => plan.actions.flatMap((a) => (a.kind === "create" ? [a.fingerprint] : []));
