// Refutations as GitHub issue text. One ticket per claim and subject group (the subject
// without the prompt): its title names the claim and the subject, its body gives the
// prediction, the observation, the evidence (token diff with the first divergence marked,
// the oracle's top-k there), the command that reproduces it and the environment, and it
// carries a hidden marker with the group's fingerprint, which stays the same while the
// same check keeps failing (it is derived from the claim id and the group, never from what
// was observed). Filing them on GitHub is a separate step (`ticket --file`).

import { createHash } from "node:crypto";
import { shellQuote } from "../core/shell-quote.ts";
import type { Divergence, Evidence } from "../measures/measure.ts";
import { checkLabel } from "./markdown.ts";
import type { CheckResult, Report, Verdict } from "./report.ts";

export interface Ticket {
  fingerprint: string;
  claim: string;
  suite: string;
  group: string;
  title: string;
  body: string;
  labels: string[];
  checks: string[]; // ids of the falsified checks
  /** Changes when what was observed changes; a filer comments only then. */
  evidenceDigest: string;
}

/** Every claim x subject group of a report with its state: falsified > blocked > corroborated. */
export interface GroupState {
  fingerprint: string;
  claim: string;
  group: string;
  state: Verdict;
}

export const fingerprintMarker = (fp: string) => `<!-- refute:fingerprint=${fp} -->`;

/** The fingerprint in an issue body, if it carries one. */
export function parseFingerprint(body: string): string | null {
  return /<!-- refute:fingerprint=([0-9a-f]{16}) -->/.exec(body)?.[1] ?? null;
}

function groupsOf(report: Report): Map<string, CheckResult[]> {
  const groups = new Map<string, CheckResult[]>();
  for (const c of report.checks) groups.set(c.fingerprint, [...(groups.get(c.fingerprint) ?? []), c]);
  return groups;
}

export function groupStates(report: Report): GroupState[] {
  return [...groupsOf(report).values()].map((checks) => {
    const has = (v: Verdict) => checks.some((c) => c.verdict === v);
    const state: Verdict = has("falsified") ? "falsified" : has("blocked") ? "blocked" : "corroborated";
    return { fingerprint: checks[0].fingerprint, claim: checks[0].claim, group: checks[0].group, state };
  });
}

export function buildTickets(report: Report): Ticket[] {
  const tickets: Ticket[] = [];
  for (const checks of groupsOf(report).values()) {
    const falsified = checks.filter((c) => c.verdict === "falsified");
    if (falsified.length === 0) continue;
    const first = falsified[0];
    const claim = report.claims[first.claim];
    const subject = `${first.subject.model} ${first.subject.format} ${first.subject.quant} ${first.subject.backend} ${first.subject.runtime}`;
    tickets.push({
      fingerprint: first.fingerprint,
      claim: first.claim,
      suite: first.suite,
      group: first.group,
      title: `${first.claim} falsified on ${subject} (refute ${first.fingerprint})`,
      body: renderBody(report, checks, falsified, subject),
      labels: ["refute", `suite:${first.suite}`, `severity:${claim?.severity ?? first.severity}`],
      checks: falsified.map((c) => c.id),
      evidenceDigest: createHash("sha256")
        .update(JSON.stringify(falsified.map((c) => [c.id, c.observed?.value ?? null, c.observed?.reference ?? null, c.evidence])))
        .digest("hex")
        .slice(0, 16),
    });
  }
  return tickets;
}

function renderBody(report: Report, checks: CheckResult[], falsified: CheckResult[], subject: string): string {
  const first = falsified[0];
  const claim = report.claims[first.claim];
  const out: string[] = [
    fingerprintMarker(first.fingerprint),
    "",
    `Claim \`${first.claim}\` (suite \`${first.suite}\`, severity ${claim?.severity ?? first.severity}) is **falsified** on **${subject}**: ` +
      `${falsified.length} of ${checks.length} checks of this subject.`,
    "",
    "## Prediction",
    "",
    `> ${claim?.statement ?? "(claim text not in the report)"}`,
    "",
    `Expected: \`${claim?.expected ?? first.expected.description}\` (measure \`${first.measure}\`${claim ? `, ${claim.file}` : ""}).` +
      (claim?.references.length ? ` Adapted from ${claim.references.join(", ")}.` : ""),
    "",
    "## Observation",
    "",
    "| check | verdict | observed |",
    "|---|---|---|",
    ...checks.map((c) => `| ${c.prompts.length === 1 ? c.prompts[0] : checkLabel(c)} | ${c.verdict === "falsified" ? "**falsified**" : c.verdict} | ${cell(c.line)} |`),
    "",
    "## Evidence",
    "",
  ];
  for (const c of falsified) {
    out.push(`### ${c.prompts.length === 1 ? `Prompt \`${c.prompts[0]}\`` : checkLabel(c)}`, "");
    for (const [i, text] of (c.promptTexts ?? []).entries()) out.push(`Prompt text${c.prompts.length > 1 ? ` of \`${c.prompts[i]}\`` : ""}: ${JSON.stringify(text)}`, "");
    out.push(cell(c.observed?.summary ?? ""), "");
    out.push(...renderEvidence(c.evidence ?? {}));
  }
  out.push("## Reproduce", "", "```sh", reproduceCommand(report, first), "```", "");
  const standalone = falsified.find((c) => c.reproduction);
  if (standalone) {
    out.push(`Without refute, the request of ${standalone.prompts.length === 1 ? `prompt \`${standalone.prompts[0]}\`` : "the first prompt"} to runtime \`${standalone.subject.runtime}\`:`, "", "```sh", standalone.reproduction!, "```", "");
  }
  const r = report.run;
  out.push(
    "## Environment",
    "",
    `- commit: ${r.gitSha ?? "unknown"}`,
    `- run: ${r.startedAt}${r.shard ? `, shard ${r.shard}` : ""}${r.inject ? `, **injected fault \`${r.inject}\`**` : ""}`,
    `- machine: ${r.machine.hostname}, ${r.machine.platform}/${r.machine.arch}, ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB`,
    `- node: ${r.node}`,
    `- subject: backend ${first.subject.backend}, runtime ${first.subject.runtime}, format ${first.subject.format}, quant ${first.subject.quant}`,
    `- oracle: ${r.oracle}/`,
    "",
    "<sub>Filed by refute. The fingerprint marker above identifies this claim and subject; keep it in the body.</sub>",
    "",
  );
  return out.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * `[REFUTE_...=...] pnpm gates [--claims d] --claim <id> --model <m> --quant <q> --backend <b> --runtime <r> [--inject f] [--oracle d]`:
 * exactly the group's checks, with the runtimes' settings of the run (secrets stay redacted: the reader sets their own).
 */
export function reproduceCommand(report: Report, c: CheckResult): string {
  const s = c.subject;
  const settings = Object.entries(report.run.settings ?? {}).map(([name, value]) => `${name}=${shellQuote(value)}`);
  const args = [...(report.run.config ? ["--config", report.run.config] : []), ...(report.run.claims && report.run.claims !== "claims" ? ["--claims", report.run.claims] : []), "--claim", c.claim, "--model", s.model, "--quant", s.quant, "--backend", s.backend, "--runtime", s.runtime];
  if (c.subject.inject) args.push("--inject", c.subject.inject);
  if (report.run.oracle !== "oracle") args.push("--oracle", report.run.oracle);
  return [...settings, "pnpm", "gates", ...args.map(shellQuote)].join(" ");
}

function renderEvidence(e: Evidence): string[] {
  const out: string[] = [];
  for (const d of e.divergences ?? []) out.push(...renderDivergence(d, e.tokenTexts ?? {}));
  if (e.identical?.length) out.push(`Identical: ${e.identical.map((p) => `\`${p}\``).join(", ")}.`, "");
  if (e.perplexity?.length) {
    out.push("| subject | perplexity | oracle perplexity | tokens scored (oracle) | window / stride |", "|---|---:|---:|---:|---|");
    for (const p of e.perplexity) {
      out.push(`| ${p.label ?? "subject"} | ${p.subject ?? "NaN"} | ${p.reference} | ${p.tokensScored} (${p.referenceTokensScored}) | ${p.window} / ${p.stride} |`);
    }
    out.push("");
  }
  for (const n of e.notes ?? []) out.push(`- ${n}`);
  if (e.notes?.length) out.push("");
  if (e.trace) {
    const where = e.trace.first
      ? `first departs at \`${e.trace.first.name}\` (position ${e.trace.first.position}, element ${e.trace.first.element}): relative error ${e.trace.first.relative.toExponential(2)} > ${e.trace.bound.toExponential(1)}, subject ${e.trace.first.subject.toPrecision(7)} against reference ${e.trace.first.reference.toPrecision(7)}`
      : `stays within ${e.trace.bound.toExponential(1)} of the reference at every tensor (the fault is not in the forward pass these tokens take)`;
    out.push(`**Where:** traced layer by layer on prompt \`${e.trace.prompt}\` against the PyTorch reference (\`refute trace\`), the subject ${where}.`, "");
  }
  return out;
}

/** The two sequences aligned, the first divergent token in brackets, a caret under it. */
export function tokenDiff(d: Divergence, reference = d.reference): string {
  const length = Math.max(d.expectedTokens.length, d.observedTokens.length);
  const show = (t: number | undefined) => (t === undefined ? "-" : String(t));
  const widths = Array.from({ length }, (_, i) => Math.max(show(d.expectedTokens[i]).length, show(d.observedTokens[i]).length) + 2);
  const row = (tokens: number[]) =>
    Array.from({ length }, (_, i) => (i === d.step ? `[${show(tokens[i])}]` : ` ${show(tokens[i])} `).padStart(widths[i])).join("");
  const names = [reference, "observed"];
  const pad = Math.max(...names.map((n) => n.length)) + 2;
  const caretAt = pad + widths.slice(0, d.step).reduce((a, b) => a + b, 0) + Math.floor(widths[d.step] / 2);
  return [
    `${(reference + ":").padEnd(pad)}${row(d.expectedTokens)}`,
    `${"observed:".padEnd(pad)}${row(d.observedTokens)}`,
    `${" ".repeat(caretAt)}^ step ${d.step}`,
  ].join("\n");
}

/** `518 " Paris"`: an id with its text when the report has it. */
function tokenWithText(id: number | null | undefined, texts: Record<string, string>): string {
  if (id === null || id === undefined) return "(end)";
  const text = texts[id];
  if (text === undefined) return `${id}`;
  const shown = text.replace(/[\n\r\t]/g, (c) => ({ "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!).replace(/`/g, "'").replace(/\|/g, "\\|");
  return `${id} \`${shown}\``;
}

/** The steps around the first divergence, both tokens of each with their text. */
function divergenceWindow(d: Divergence, texts: Record<string, string>, reference: string): string[] {
  const from = Math.max(0, d.step - 2);
  const to = Math.min(Math.max(d.expectedTokens.length, d.observedTokens.length), d.step + 3);
  const rows = [];
  for (let i = from; i < to; i++) rows.push(`| ${i === d.step ? `**${i}**` : i} | ${tokenWithText(d.expectedTokens[i], texts)} | ${tokenWithText(d.observedTokens[i], texts)} |`);
  return [`| step | ${reference} | observed |`, "|---:|---|---|", ...rows, ""];
}

function renderDivergence(d: Divergence, texts: Record<string, string> = {}): string[] {
  const reference = d.reference;
  const label = d.label ? ` (${d.label})` : "";
  const out = [
    `**${d.prompt}${label}**: ${d.mismatches} of ${d.length} tokens differ; first divergence at step ${d.step}.`,
    "",
    "```",
    tokenDiff(d, reference),
    "```",
    "",
    `- ${reference} text: ${JSON.stringify(d.expectedText)}`,
    `- observed text: ${JSON.stringify(d.observedText)}`,
    "",
    ...(Object.keys(texts).length > 0 ? divergenceWindow(d, texts, reference) : []),
  ];
  if (d.referenceTopK.length > 0) {
    const where =
      d.observedLogprob === null
        ? `the observed token ${tokenWithText(d.observedToken, texts)} is outside the ${reference}'s top-${d.referenceTopK.length}`
        : `the observed token ${tokenWithText(d.observedToken, texts)} has log p ${d.observedLogprob.toFixed(3)} there`;
    out.push(
      `The ${reference}'s top-${d.referenceTopK.length} at step ${d.step}` +
        (d.margin === null ? "" : ` (margin between its first two: ${d.margin.toFixed(3)})`) +
        `; ${where}:`,
      "",
      "| rank | token | log p | |",
      "|---:|---|---:|---|",
      ...d.referenceTopK.map((t, i) => `| ${i + 1} | ${tokenWithText(t.token, texts)} | ${t.logprob.toFixed(3)} | ${t.token === d.expectedToken ? reference : ""}${t.token === d.observedToken ? "observed" : ""} |`),
      "",
    );
  }
  return out;
}
