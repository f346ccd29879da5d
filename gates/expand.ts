// Claims become checks: each claim is expanded over its subject matrix (model x format x
// quant x backend x runtime) and, for per-prompt measures, over its prompts. Then the run's
// selection (--suite, --claim, --quant), overrides (--backend, --runtime, --inject) and
// shard (--shard k/n) are applied. Model names become the subjects' names and paths
// (core/model-ref.ts); --model substitutes models before this (gates/claims.ts). Pure
// functions over values.

import { createHash } from "node:crypto";
import { EMPTY_CONFIG, type ProjectConfig, runtimeKind } from "../core/config.ts";
import { RefuteError } from "../core/errors.ts";
import { locateModel } from "../core/model-ref.ts";
import type { RuntimeKind } from "../core/vocabulary.ts";
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
  /** How the subject differs from the claim's matrix point, when the runner had to convert (a GGUF-only runtime given a native model). */
  conversion?: string;
  /** Stable while the same claim fails on the same subject group; independent of observations. */
  fingerprint: string;
}

export interface Overrides {
  backend?: Backend; // run every subject on this backend instead of the claim's
  runtime?: RuntimeName; // ... and through this runtime
  inject?: string; // a fault of the teeth catalogue, on every subject
  config?: ProjectConfig; // the configured models (names to paths) and runtimes (names to kinds)
}

/** Runtimes that read GGUF files only: a claim's other formats reach them as the engine's GGUF export at the claim's quant. */
const GGUF_ONLY: readonly RuntimeKind[] = ["llamacpp", "llama-server"];

/**
 * The subject a GGUF-only runtime actually runs for a claim's matrix point, and what the
 * runner converted, so the report names what ran: "tiny-llama gguf q8_0 ... llamacpp",
 * converted from native. Null conversion: the subject runs as the claim states it.
 */
function asRun(subject: SubjectSpec, config: ProjectConfig): { subject: SubjectSpec; conversion?: string } {
  const kind = runtimeKind(subject.runtime, config);
  const isGgufFile = (subject.path ?? subject.model).toLowerCase().endsWith(".gguf");
  if (!kind || !GGUF_ONLY.includes(kind) || subject.format === "gguf" || isGgufFile) return { subject };
  return {
    subject: { ...subject, format: "gguf" },
    conversion: `the claim's ${subject.format} ${subject.quant} runs as GGUF: runtime ${subject.runtime} reads GGUF files only, so the engine exported ${subject.model} to GGUF at ${subject.quant}`,
  };
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

/** The second subject: the first with the fields the claim's `against` sets; a model it names is located anew. */
function againstOf(stated: SubjectSpec, against: Partial<SubjectSpec>, config: ProjectConfig): SubjectSpec {
  const { path: _, ...rest } = stated;
  return against.model ? { ...rest, ...against, ...locateModel(against.model, config) } : { ...stated, ...against };
}

export function expandClaim(claim: Claim, overrides: Overrides = {}): Check[] {
  const measure = measures.get(claim.measure);
  if (!measure) throw new RefuteError("E_CLAIMS", `claim '${claim.id}' names unknown measure '${claim.measure}'`, { claim: claim.id });
  const m = claim.subject;
  const axes = [m.model, m.format, m.quant, overrides.backend ? [overrides.backend] : m.backend, overrides.runtime ? [overrides.runtime] : m.runtime];
  const promptSets = !claim.prompts ? [[]] : claim.prompts.mode === "each" ? claim.prompts.names.map((p) => [p]) : [claim.prompts.names];
  const checks: Check[] = [];
  const seen = new Set<string>();
  const config = overrides.config ?? EMPTY_CONFIG;
  for (const [model, format, quant, backend, runtime] of product(axes)) {
    const stated = { ...locateModel(model, config), format, quant, backend, runtime, ...(overrides.inject ? { inject: overrides.inject } : {}) } as SubjectSpec;
    const { subject, conversion } = asRun(stated, config);
    // An override applies to the second subject too, except where the claim sets that field.
    const against = claim.against ? asRun(againstOf(stated, claim.against, config), config).subject : undefined;
    const group = subjectGroup(subject);
    for (const prompts of promptSets) {
      const id = `${claim.id}/${group}` + (claim.prompts?.mode === "each" ? `/${prompts[0]}` : "");
      if (seen.has(id)) continue; // an override collapsed two matrix points into one
      seen.add(id);
      checks.push({ id, claim, subject, ...(against ? { against } : {}), prompts, group, fingerprint: fingerprint(claim.id, group), ...(conversion ? { conversion } : {}) });
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
  /** Substitution, not a filter: every selected claim runs on these models (gates/claims.ts substituteModels). */
  models?: string[];
  quants?: string[];
}

/** Keeps the checks the selection names; a name that matches nothing is a usage error. */
export function selectChecks(checks: Check[], selection: Selection): Check[] {
  const axes: Array<[Exclude<keyof Selection, "models">, string, (c: Check) => string]> = [
    ["suites", "--suite", (c) => c.claim.suite],
    ["claims", "--claim", (c) => c.claim.id],
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
    throw new RefuteError("E_USAGE", "the selection matches no check: every --suite, --claim and --quant must hold at once", { selection });
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
