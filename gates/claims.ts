// Claim files: load claims/*.yaml, validate them against claims/schema.json (ajv) and
// against the measure registry, and normalize them into `Claim` values. Every problem
// names the file, the claim id and the field, and says what was expected.
//
// This module does not expand claims into checks (gates/expand.ts) nor run anything.

import { readFile, readdir, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { loadBoundedYaml, MAX_YAML_BYTES, YamlBoundError } from "../core/bounded-yaml.ts";
import { RefuteError } from "../core/errors.ts";
import type { SubjectSpec } from "../core/subject.ts";
import type { Backend, Comparator, Format, Quant, RuntimeName, Severity } from "../core/vocabulary.ts";
import { measures } from "../measures/index.ts";
import { claimSchema } from "./claim-schema.ts";
import type { ProjectConfig } from "../core/config.ts";
import { referenceProblems } from "./references.ts";

export const SCHEMA_HEADER = "# yaml-language-server: $schema=./schema.json";
export const DEFAULT_MAX_NEW_TOKENS = 32;

export type { Comparator } from "../core/vocabulary.ts";
export type Threshold = number | { of: "oracle" | "against"; factor?: number; offset?: number };
export interface Prediction {
  comparator: Comparator;
  threshold: Threshold;
}

/** A subject with every field a list: the claim's matrix axes. */
export interface SubjectMatrix {
  model: string[];
  format: Format[];
  quant: Quant[];
  backend: Backend[];
  runtime: RuntimeName[];
}

export interface Claim {
  id: string;
  suite: string;
  statement: string;
  rationale: string;
  measure: string;
  /** The measure's parameters, validated against its schema, defaults filled in. */
  params: Record<string, unknown>;
  subject: SubjectMatrix;
  against?: Partial<Omit<SubjectSpec, "inject">>;
  prompts?: { mode: "each" | "all"; names: string[] };
  maxNewTokens: number;
  prediction: Prediction;
  severity: Severity;
  references: string[];
  catches: string[];
  file: string; // as given to the loader, e.g. claims/token.yaml
}

/** The quantity the claim's measure observes, for its params: "mismatched tokens". */
export function claimQuantity(claim: Pick<Claim, "measure" | "params">): string {
  const measure = measures.get(claim.measure);
  if (!measure) throw new RefuteError("E_CLAIMS", `unknown measure '${claim.measure}'`, { measure: claim.measure });
  return measure.quantity(claim.params);
}

/** One thing wrong with a claim file. */
export interface ClaimProblem {
  file: string;
  claim?: string; // the claim's id, or `#<index>` when it has none
  field: string; // dotted path inside the claim (or file), e.g. prediction.comparator
  expected: string;
  found?: string;
}

export function formatProblem(p: ClaimProblem): string {
  const claim = p.claim === undefined ? "" : ` claim '${p.claim}'`;
  const found = p.found === undefined ? "" : `; found ${p.found}`;
  return `${p.file}:${claim} field '${p.field}': expected ${p.expected}${found}`;
}

/** Thrown at the boundary when claim files are invalid: exit code 2. */
export class ClaimsError extends RefuteError {
  constructor(readonly problems: ClaimProblem[]) {
    super("E_CLAIMS", `${problems.length} problem(s) in claim files:\n` + problems.map((p) => "  " + formatProblem(p)).join("\n"), {
      problems,
    });
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
let fileValidator: ValidateFunction | undefined;
const validateFile = (doc: unknown) => (fileValidator ??= ajv.compile(claimSchema()))(doc);

// Per measure: its params' validator that fills in defaults (the file's validator checks the same schema, without changing the document).
const paramsValidators = new Map<string, ValidateFunction>();
const withDefaults = new Ajv({ strict: true, useDefaults: true });
function paramsWithDefaults(measure: string, params: Record<string, unknown>): Record<string, unknown> {
  const schema = measures.get(measure)?.params;
  if (!schema) return params;
  let validate = paramsValidators.get(measure);
  if (!validate) paramsValidators.set(measure, (validate = withDefaults.compile(schema)));
  const filled = structuredClone(params);
  validate(filled);
  return filled;
}

// ---------------------------------------------------------------------------- loading

export interface LoadedClaims {
  claims: Claim[];
  problems: ClaimProblem[];
  files: string[];
}

export interface ClaimsOptions {
  /** The oracle the claims' prompts and oracle records are looked up in (default "oracle"). */
  oracleDir?: string;
  /** The project config, whose models are names a claim may use. */
  config?: ProjectConfig;
  /** Substitution (--model): every claim runs on these models instead of its own (its default set). */
  models?: string[];
  /** Only the claims of these suites and ids need their references resolved (the run's selection); default all. */
  suites?: string[];
  ids?: string[];
}

/** The claim with its subject's models replaced by `models`: the claim's own list is its default set. */
export function substituteModels(claim: Claim, models: string[] | undefined): Claim {
  return models && models.length > 0 ? { ...claim, subject: { ...claim.subject, model: [...models] } } : claim;
}

const chosen = (claim: Claim, options: ClaimsOptions) => (!options.suites?.length || options.suites.includes(claim.suite)) && (!options.ids?.length || options.ids.includes(claim.id));

/** Reads and validates every claims/*.yaml, and the names they use; never throws on bad content (see `problems`). */
export async function readClaims(dir = "claims", options: ClaimsOptions = {}): Promise<LoadedClaims> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".yaml") || n.endsWith(".yml")).sort();
  } catch (e) {
    return { claims: [], files: [], problems: [{ file: dir, field: "(directory)", expected: "a readable directory of claim files", found: String((e as Error).message) }] };
  }
  const files = names.map((n) => join(dir, n));
  if (files.length === 0) {
    return { claims: [], files, problems: [{ file: dir, field: "(directory)", expected: "at least one <suite>.yaml claim file", found: "none" }] };
  }
  const parsedClaims: Claim[] = [];
  const problems: ClaimProblem[] = [];
  for (const file of files) {
    const size = (await stat(file)).size;
    if (size > MAX_YAML_BYTES) {
      problems.push({ file: relative(".", file) || file, field: "(file)", expected: `a claim file of at most ${MAX_YAML_BYTES} bytes`, found: `${size} bytes` });
      continue;
    }
    const parsed = parseClaimFile(relative(".", file) || file, await readFile(file, "utf8"));
    parsedClaims.push(...parsed.claims);
    problems.push(...parsed.problems);
  }
  problems.push(...crossFileProblems(parsedClaims));
  const claims = parsedClaims.map((c) => substituteModels(c, options.models));
  if (problems.length === 0) {
    for (const claim of claims) if (chosen(claim, options)) problems.push(...referenceProblems(claim, options.oracleDir ?? "oracle", options.config));
  }
  return { claims, problems, files };
}

/** Like readClaims, but throws ClaimsError when anything is wrong. */
export async function loadClaims(dir = "claims", options: ClaimsOptions = {}): Promise<Claim[]> {
  const { claims, problems } = await readClaims(dir, options);
  if (problems.length > 0) throw new ClaimsError(problems);
  return claims;
}

/** Parses and validates one file's text. `file` is only used in problems. */
export function parseClaimFile(file: string, text: string): { claims: Claim[]; problems: ClaimProblem[] } {
  const problems: ClaimProblem[] = [];
  if (text.split("\n", 1)[0].trim() !== SCHEMA_HEADER) {
    problems.push({ file, field: "(first line)", expected: `'${SCHEMA_HEADER}' (editor completion)`, found: JSON.stringify(text.split("\n", 1)[0]) });
  }
  let doc: unknown;
  try {
    doc = loadBoundedYaml(text, file);
  } catch (e) {
    const bound = e instanceof YamlBoundError;
    problems.push({ file, field: "(yaml)", expected: bound ? "a claim file of bounded size" : "valid YAML", found: (e as Error).message.split("\n")[0] });
    return { claims: [], problems };
  }
  if (!validateFile(doc)) {
    problems.push(...schemaProblems(file, doc, fileValidator!.errors ?? []));
    return { claims: [], problems };
  }
  const raw = (doc as { claims: RawClaim[] }).claims;
  const claims = raw.map((c) => normalizeClaim(file, c));
  for (const claim of claims) problems.push(...claimProblems(claim));
  return { claims: problems.length ? [] : claims, problems };
}

// ------------------------------------------------------------------- schema problems

function schemaProblems(file: string, doc: unknown, errors: ErrorObject[]): ClaimProblem[] {
  // A failed `oneOf` also reports each branch's failure at the same path; fold those
  // into the oneOf's own problem ("expected number | object") and keep deeper ones.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === "oneOf").map((e) => e.instancePath));
  const alternatives = new Map<string, string[]>();
  for (const e of errors) {
    if (!oneOfPaths.has(e.instancePath) || e.keyword === "oneOf") continue;
    const alt = e.keyword === "type" ? String(e.params.type) : e.keyword === "enum" ? (e.params.allowedValues as unknown[]).join(" | ") : null;
    if (alt) alternatives.set(e.instancePath, [...(alternatives.get(e.instancePath) ?? []), alt]);
  }
  const seen = new Set<string>();
  const problems: ClaimProblem[] = [];
  for (const e of errors) {
    if (oneOfPaths.has(e.instancePath) && e.keyword !== "oneOf") continue; // a branch's own failure
    if (e.keyword === "if") continue; // "must match then": the params error itself is reported
    const p = problemFromAjv(file, doc, e, alternatives);
    const key = formatProblem(p);
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  }
  return problems;
}

function problemFromAjv(file: string, doc: unknown, e: ErrorObject, alternatives: Map<string, string[]>): ClaimProblem {
  const segments = e.instancePath.split("/").slice(1).map(decodeURIComponent);
  let claim: string | undefined;
  let fieldSegments = segments;
  if (segments[0] === "claims" && segments.length >= 2) {
    const index = Number(segments[1]);
    const id = (doc as { claims: Array<{ id?: unknown }> }).claims[index]?.id;
    claim = typeof id === "string" ? id : `#${index}`;
    fieldSegments = segments.slice(2);
  }
  const at = (extra?: string) => [...fieldSegments, ...(extra ? [extra] : [])].join(".") || "(claim)";
  const found = e.instancePath === "" ? undefined : JSON.stringify(valueAt(doc, segments));
  switch (e.keyword) {
    case "required":
      return { file, claim, field: at(String(e.params.missingProperty)), expected: "the field to be present", found: "nothing" };
    case "additionalProperties":
      return { file, claim, field: at(String(e.params.additionalProperty)), expected: `no such field (allowed: ${allowedFields(e)})`, found: "an unknown field" };
    case "enum":
      return { file, claim, field: at(), expected: `one of ${(e.params.allowedValues as unknown[]).join(", ")}`, found };
    case "type":
      return { file, claim, field: at(), expected: `a value of type ${e.params.type}`, found };
    case "pattern":
      return { file, claim, field: at(), expected: `a string matching ${e.params.pattern}`, found };
    case "oneOf":
      return { file, claim, field: at(), expected: alternatives.get(e.instancePath)?.join(" | ") ?? "exactly one allowed form", found };
    default:
      return { file, claim, field: at(), expected: `a value that ${e.message ?? e.keyword}`, found };
  }
}

function allowedFields(e: ErrorObject): string {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props).join(", ") : "see claims/schema.json";
}

function valueAt(doc: unknown, segments: string[]): unknown {
  let v: unknown = doc;
  for (const s of segments) v = (v as Record<string, unknown> | undefined)?.[s];
  return v;
}

// ------------------------------------------------------------------ normalization

type OneOrMany<T> = T | T[];
interface RawClaim {
  id: string;
  suite: string;
  statement: string;
  rationale: string;
  measure: string;
  params?: Record<string, unknown>;
  subject: { model: OneOrMany<string>; format: OneOrMany<Format>; quant: OneOrMany<Quant>; backend?: OneOrMany<Backend>; runtime?: OneOrMany<RuntimeName> };
  against?: Claim["against"];
  prompts?: { each?: string[]; all?: string[] };
  settings?: { max_new_tokens?: number };
  prediction: Prediction;
  severity: Claim["severity"];
  references: string[];
  catches: string[];
}

const list = <T>(v: OneOrMany<T>): T[] => (Array.isArray(v) ? v : [v]);

function normalizeClaim(file: string, raw: RawClaim): Claim {
  const prompts = raw.prompts?.each ? { mode: "each" as const, names: raw.prompts.each } : raw.prompts?.all ? { mode: "all" as const, names: raw.prompts.all } : undefined;
  return {
    id: raw.id,
    suite: raw.suite,
    statement: raw.statement.trim(),
    rationale: raw.rationale.trim(),
    measure: raw.measure,
    params: paramsWithDefaults(raw.measure, raw.params ?? {}),
    subject: {
      model: list(raw.subject.model),
      format: list(raw.subject.format),
      quant: list(raw.subject.quant),
      backend: list(raw.subject.backend ?? "cpu"),
      runtime: list(raw.subject.runtime ?? "embedded"),
    },
    ...(raw.against ? { against: raw.against } : {}),
    ...(prompts ? { prompts } : {}),
    maxNewTokens: raw.settings?.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS,
    prediction: raw.prediction,
    severity: raw.severity,
    references: raw.references,
    catches: raw.catches,
    file,
  };
}

// ----------------------------------------------------------------- semantic problems

/** What the schema cannot say: the claim agrees with its measure and its file. */
/** Checks one claim may expand into: a matrix beyond is a mistake or an attack, not a plan. */
export const MAX_CHECKS_PER_CLAIM = 2048;

function claimProblems(claim: Claim): ClaimProblem[] {
  const problems: ClaimProblem[] = [];
  const problem = (field: string, expected: string, found?: string) => problems.push({ file: claim.file, claim: claim.id, field, expected, found });
  const stem = basename(claim.file).replace(/\.ya?ml$/, "");
  if (claim.suite !== stem) problem("suite", `'${stem}' (one file per suite: the file's name)`, JSON.stringify(claim.suite));
  const checks = Object.values(claim.subject).reduce((n, axis) => n * (axis as string[]).length, 1) * (claim.prompts?.mode === "each" ? claim.prompts.names.length : 1);
  if (checks > MAX_CHECKS_PER_CLAIM) problem("subject", `a matrix of at most ${MAX_CHECKS_PER_CLAIM} checks per claim (split the claim)`, `${checks} checks`);

  const measure = measures.get(claim.measure);
  if (!measure) {
    problem("measure", `one of ${[...measures.keys()].join(", ")}`, JSON.stringify(claim.measure));
    return problems;
  }
  if (measure.needsAgainst && !claim.against) problem("against", `a second subject: measure '${measure.name}' compares two`, "nothing");
  if (!measure.needsAgainst && claim.against) problem("against", `no second subject: measure '${measure.name}' observes one`, JSON.stringify(claim.against));
  if (claim.against) {
    const axes = Object.keys(claim.against) as Array<keyof SubjectMatrix>;
    const same = axes.every((axis) => (claim.subject[axis] as string[]).includes(claim.against![axis] as string));
    if (same) problem("against", "at least one field that differs from every subject of the matrix (else a subject is compared with itself)", JSON.stringify(claim.against));
  }

  const wantedPrompts = { prompt: "each", prompts: "all", text: undefined, subject: undefined }[measure.input];
  if (wantedPrompts && claim.prompts?.mode !== wantedPrompts) {
    problem(`prompts.${wantedPrompts}`, `a list of prompts: measure '${measure.name}' observes ${measure.input === "prompt" ? "one prompt per check" : "all prompts in one check"}`, claim.prompts ? `prompts.${claim.prompts.mode}` : "nothing");
  }
  if (!wantedPrompts && claim.prompts) problem("prompts", `no prompts: measure '${measure.name}' observes ${measure.input === "text" ? "the oracle's held-out text" : "the subject itself"}`, `prompts.${claim.prompts.mode}`);

  const { comparator, threshold } = claim.prediction;
  if (typeof threshold === "object") {
    if (!measure.reference) problem("prediction.threshold", `a number: measure '${measure.name}' has no reference to be relative to`, JSON.stringify(threshold));
    else if (threshold.of !== measure.reference) problem("prediction.threshold.of", `'${measure.reference}' (the reference of measure '${measure.name}')`, JSON.stringify(threshold.of));
  }
  if (measure.value === "text") {
    if (comparator !== "eq") problem("prediction.comparator", `eq: measure '${measure.name}' observes text`, JSON.stringify(comparator));
    if (typeof threshold !== "object" || threshold.factor !== undefined || threshold.offset !== undefined) {
      problem("prediction.threshold", `{ of: ${measure.reference} } (text is compared with the reference as it is)`, JSON.stringify(threshold));
    }
  }
  return problems;
}

function crossFileProblems(claims: Claim[]): ClaimProblem[] {
  const firstFile = new Map<string, string>();
  const problems: ClaimProblem[] = [];
  for (const c of claims) {
    const previous = firstFile.get(c.id);
    if (previous) problems.push({ file: c.file, claim: c.id, field: "id", expected: "an id used once in all claim files", found: `also in ${previous}` });
    else firstFile.set(c.id, c.file);
  }
  return problems;
}
