// A falsified greedy check as a picture: the expected and the observed tokens side by side,
// one chip per token in the model's own spelling (evidence.tokenTexts), the first divergence
// marked in both rows and later differing tokens outlined, and the reference's top-k at that step with each candidate's
// probability, the observed token's rank among them and the margin of the reference's call.

import type { Divergence, Evidence } from "../measures/measure.ts";
import { escapeHtml } from "./html-escape.ts";

/** A token as text a person can read: whitespace made visible, the id where the tokenizer has no spelling. */
function tokenText(id: number, texts: Record<string, string>): string {
  const text = texts[id];
  if (text === undefined) return `#${id}`;
  return text.replace(/\n/g, "\u21b5").replace(/\t/g, "\u2192").replace(/ /g, "\u00b7") || "\u2205";
}

/** One sequence as chips: the first divergence marked, later tokens that differ from `other` outlined, the rest after it dimmed. */
function tokenRow(label: string, tokens: number[], other: number[], step: number, texts: Record<string, string>): string {
  const chips = tokens.map((id, i) => {
    const text = escapeHtml(tokenText(id, texts));
    const title = `step ${i}: token ${id}`;
    if (i === step) return `<mark class="tok first" title="${title}" aria-label="first divergence, step ${i}: ${text}">${text}</mark>`;
    const kind = i < step ? "" : other[i] === id ? " after" : " after differs";
    return `<span class="tok${kind}" title="${title}${kind.includes("differs") ? ", differs" : ""}">${text}</span>`;
  });
  if (step >= tokens.length) chips.push(`<mark class="tok first end" aria-label="first divergence: the sequence ended">end</mark>`);
  return `<div class="tokrow"><span class="tokrow-label">${label}</span><div class="toks">${chips.join("")}</div></div>`;
}

/** The reference's top-k at the divergence: rank, token, log p, p, and which one is the observed token. */
function topKTable(d: Divergence, texts: Record<string, string>): string {
  if (d.referenceTopK.length === 0) return `<p class="muted">The reference recorded no top-k at this step.</p>`;
  const rank = d.observedToken === null ? -1 : d.referenceTopK.findIndex((e) => e.token === d.observedToken);
  const rows = d.referenceTopK.map((e, i) => {
    const marks = [e.token === d.expectedToken ? "expected" : "", e.token === d.observedToken ? "observed" : ""].filter(Boolean).join(", ");
    return `<tr${marks ? ` class="${marks.replace(", ", " ")}"` : ""}><td>${i + 1}</td><td><code>${escapeHtml(tokenText(e.token, texts))}</code> <span class="muted">${e.token}</span></td><td>${e.logprob.toFixed(4)}</td><td>${(Math.exp(e.logprob) * 100).toFixed(2)}%</td><td>${marks}</td></tr>`;
  });
  const observed =
    d.observedToken === null
      ? "the observed sequence ended here"
      : rank >= 0
        ? `the observed token is the reference's choice number ${rank + 1}`
        : `the observed token is outside the reference's top ${d.referenceTopK.length}${d.observedLogprob === null ? "" : ` (log p ${d.observedLogprob.toFixed(4)})`}`;
  const margin = d.margin === null ? "" : `; the reference's top-1 beat its runner-up by ${d.margin.toFixed(3)} nats`;
  return `<table class="topk"><caption>Reference top-${d.referenceTopK.length} at step ${d.step}: ${escapeHtml(observed)}${escapeHtml(margin)}</caption><thead><tr><th scope="col">rank</th><th scope="col">token</th><th scope="col">log p</th><th scope="col">p</th><th scope="col">is</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** One divergence: the two token rows and the top-k where they part. */
export function divergenceHtml(d: Divergence, texts: Record<string, string>): string {
  const what = `${escapeHtml(d.prompt)}${d.label ? ` · ${escapeHtml(d.label)}` : ""}: ${d.mismatches} of ${d.length} tokens differ from the ${escapeHtml(d.reference)}, first at step ${d.step}`;
  return `<figure class="token-diff" data-prompt="${escapeHtml(d.prompt)}"><figcaption>${what}</figcaption>${tokenRow("expected", d.expectedTokens, d.observedTokens, d.step, texts)}${tokenRow("observed", d.observedTokens, d.expectedTokens, d.step, texts)}${topKTable(d, texts)}</figure>`;
}

/** Every divergence of a check's evidence; empty when it has none. */
export function tokenDiffs(evidence: Evidence | null): string {
  const divergences = evidence?.divergences ?? [];
  return divergences.map((d) => divergenceHtml(d, evidence?.tokenTexts ?? {})).join("");
}
