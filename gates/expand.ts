// Claims become checks: each claim is expanded over its subject matrix (model x format x
// quant x backend x runtime) and, for per-prompt measures, over its prompts. Then the run's
// selection (--suite, --claim, --model), overrides (--backend, --runtime, --inject) and
// shard (--shard k/n) are applied. Pure functions over values.

import { createHash } from "node:crypto";
import { RefuteError } from "../core/errors.ts";
import type { Backend, RuntimeName, SubjectSpec } from "../runtimes/runtime.ts";
import { measures } from "../measures/index.ts";
import type { Claim } from "./claims.ts";

export interface Check {
  id: string; // claim/model/format/quant/backend/runtime[/prompt]
  claim: Claim;
  subject: SubjectSpec;
  against?: SubjectSpec;
  prompts: string[]; // one (per-prompt measures), the claim's set ("all"), or none (text measures)
  /** The subject without the prompt: checks of one claim and group share a ticket. */
  group: string;
  /** Stable while the same claim fails on the same subject group; independent of observations. */
  fingerprint: string;
}

export interface Overrides {
  backend?: Backend; // run every subject on this backend instead of the claim's
  runtime?: RuntimeName; // ... and through this runtime
  inject?: string; // a fault of the teeth catalogue, on every subject
}

export function subjectGroup(s: SubjectSpec): string {
  return `${s.model}/${s.format}/${s.quant}/${s.backend}/${s.runtime}`;
}

/** sha256 of the claim id and the subject group: the same while the same check fails. */
export function fingerprint(claimId: string, group: string): string {
  return createHash("sha256").update(`refute-fingerprint-v1\0${claimId}\0${group}`).digest("hex").slice(0, 16);
}

function* product(axes: string[][]): Generator<string[]> {
  if (axes.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = axes;
  for (const value of first) for (const tail of product(rest)) yield [value, ...tail];
}

export function expandClaim(claim: Claim, overrides: Overrides = {}): Check[] {
  const measure = measures.get(claim.measure);
  if (!measure) throw new RefuteError("E_CLAIMS", `claim '${claim.id}' names unknown measure '${claim.measure}'`, { claim: claim.id });
  const m = claim.subject;
  const axes = [m.model, m.format, m.quant, overrides.backend ? [overrides.backend] : m.backend, overrides.runtime ? [overrides.runtime] : m.runtime];
  const promptSets = !claim.prompts ? [[]] : claim.prompts.mode === "each" ? claim.prompts.names.map((p) => [p]) : [claim.prompts.names];
  const checks: Check[] = [];
  const seen = new Set<string>();
  for (const [model, format, quant, backend, runtime] of product(axes)) {
    const subject = { model, format, quant, backend, runtime, ...(overrides.inject ? { inject: overrides.inject } : {}) } as SubjectSpec;
    // An override applies to the second subject too, except where the claim sets that field.
    const against = claim.against ? ({ ...subject, ...claim.against } as SubjectSpec) : undefined;
    const group = subjectGroup(subject);
    for (const prompts of promptSets) {
      const id = `${claim.id}/${group}` + (claim.prompts?.mode === "each" ? `/${prompts[0]}` : "");
      if (seen.has(id)) continue; // an override collapsed two matrix points into one
      seen.add(id);
      checks.push({ id, claim, subject, ...(against ? { against } : {}), prompts, group, fingerprint: fingerprint(claim.id, group) });
    }
  }
  return checks;
}

export function expandClaims(claims: Claim[], overrides: Overrides = {}): Check[] {
  return claims.flatMap((c) => expandClaim(c, overrides));
}

// ------------------------------------------------------------------------- selection

export interface Selection {
  suites?: string[];
  claims?: string[];
  models?: string[];
  quants?: string[];
}

/** Keeps the checks the selection names; a name that matches nothing is a usage error. */
export function selectChecks(checks: Check[], selection: Selection): Check[] {
  const axes: Array<[keyof Selection, string, (c: Check) => string]> = [
    ["suites", "--suite", (c) => c.claim.suite],
    ["claims", "--claim", (c) => c.claim.id],
    ["models", "--model", (c) => c.subject.model],
    ["quants", "--quant", (c) => c.subject.quant],
  ];
  let selected = checks;
  for (const [key, flag, of] of axes) {
    const wanted = selection[key];
    if (!wanted || wanted.length === 0) continue;
    const known = new Set(checks.map(of));
    const unknown = wanted.filter((w) => !known.has(w));
    if (unknown.length > 0) {
      throw new RefuteError("E_USAGE", `${flag} ${unknown.map((u) => `'${u}'`).join(", ")} matches no claim; known: ${[...known].join(", ")}`, { flag, unknown });
    }
    selected = selected.filter((c) => wanted.includes(of(c)));
  }
  if (selected.length === 0 && checks.length > 0) {
    // each name exists, but not together (--suite parity --claim perf-x): a run of nothing would pass
    throw new RefuteError("E_USAGE", "the selection matches no check: every --suite, --claim, --model and --quant must hold at once", { selection });
  }
  return selected;
}

// ----------------------------------------------------------------------------- shards

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : null;
  if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new RefuteError("E_USAGE", `--shard expects k/n with 1 <= k <= n, e.g. 2/4; found '${text}'`, { shard: text });
  }
  return shard;
}

/**
 * The checks of shard k of n. Checks that share generations (same model and prompts) stay
 * in one shard; those work units are dealt round-robin in the order they first appear, so
 * the split is deterministic, the shards are disjoint, and their union is every check.
 */
export function shardChecks(checks: Check[], shard: Shard): Check[] {
  const unitOf = (c: Check) => `${c.subject.model}\0${c.prompts.join(",")}`;
  const units = new Map<string, number>();
  for (const c of checks) if (!units.has(unitOf(c))) units.set(unitOf(c), units.size);
  return checks.filter((c) => units.get(unitOf(c))! % shard.count === shard.index - 1);
}
