// What a refute issue on GitHub says about itself, and the text refute writes into one.
//
// An issue carries two hidden markers in its body: the fingerprint of its claim and subject
// group (from gates/ticket.ts; also in the title, so a body edited by hand still matches)
// and the digest of the evidence it shows. A comment refute writes carries the key of the
// run that wrote it, so a comment whose response was lost is found again, never repeated.
// Pure functions: no network here.

import { createHash } from "node:crypto";
import { checkLabel } from "../markdown.ts";
import type { CheckResult, Report } from "../report.ts";
import { fingerprintMarker, parseFingerprint, type Ticket } from "../ticket.ts";

/** An issue as refute reads it back from GitHub. */
export interface RemoteIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  /** Why it was closed: "completed", "not_planned", "reopened" or null. */
  stateReason: string | null;
  labels: string[];
  url: string;
  isPullRequest: boolean;
}

export interface RemoteComment {
  id: number;
  body: string;
}

export const evidenceMarker = (digest: string) => `<!-- refute:evidence=${digest} -->`;
export const runMarker = (runKey: string) => `<!-- refute:run=${runKey} -->`;

/** The evidence digest an issue body was written with, if it carries one. */
export function parseEvidence(body: string): string | null {
  return /<!-- refute:evidence=([0-9a-f]{16}) -->/.exec(body)?.[1] ?? null;
}

/** The fingerprint of an issue: its body marker, else the `(refute <fp>)` of its title. */
export function issueFingerprint(issue: Pick<RemoteIssue, "title" | "body">): string | null {
  return parseFingerprint(issue.body) ?? /\(refute ([0-9a-f]{16})\)\s*$/.exec(issue.title)?.[1] ?? null;
}

/** The ticket's body with its evidence marker under the fingerprint marker. */
export function issueBody(ticket: Ticket): string {
  const marker = fingerprintMarker(ticket.fingerprint);
  const evidence = evidenceMarker(ticket.evidenceDigest);
  return ticket.body.startsWith(marker) ? `${marker}\n${evidence}${ticket.body.slice(marker.length)}` : `${marker}\n${evidence}\n${ticket.body}`;
}

/** Identifies one run's report: comments written for it carry this key. */
export function runKey(report: Report): string {
  const r = report.run;
  return createHash("sha256")
    .update(JSON.stringify([r.gitSha, r.startedAt, r.finishedAt, r.inject, r.machine.hostname]))
    .digest("hex")
    .slice(0, 16);
}

function runWords(report: Report): string {
  const r = report.run;
  return `the run of ${r.startedAt}${r.gitSha ? ` at commit ${r.gitSha.slice(0, 12)}` : ""}${r.inject ? ` (injected fault \`${r.inject}\`)` : ""}`;
}

const checkLines = (checks: CheckResult[]) =>
  checks.map((c) => `- ${c.prompts.length === 1 ? `\`${c.prompts[0]}\`` : checkLabel(c)}: ${c.verdict === "falsified" ? "**falsified**" : c.verdict}, ${c.line.replace(/\n/g, " ")}`);

export type CommentKind = "evidence" | "regressed" | "corroborated";

/** The comment refute leaves when the evidence changed, the claim regressed, or it corroborates again. */
export function commentBody(kind: CommentKind, report: Report, checks: CheckResult[]): string {
  const falsified = checks.filter((c) => c.verdict === "falsified").length;
  const head =
    kind === "evidence"
      ? `Still falsified in ${runWords(report)}, with different evidence: ${falsified} of ${checks.length} checks falsified. The issue body now shows the new evidence.`
      : kind === "regressed"
        ? `Falsified again in ${runWords(report)}: ${falsified} of ${checks.length} checks falsified. Reopening; the issue body shows the new evidence.`
        : `All ${checks.length} checks corroborate in ${runWords(report)}. Closing; refute reopens this issue if the claim is falsified again.`;
  return [runMarker(runKey(report)), head, "", ...checkLines(checks), ""].join("\n");
}
