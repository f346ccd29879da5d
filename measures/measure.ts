// The shape every measure shares: what it declares (its name, what one check covers, the
// runtime capabilities it needs, its parameters as a JSON Schema), what it is given
// (MeasureInput, its typed params) and what it returns (Observation). A measure observes; it
// never judges. Comparing an observation with a claim's prediction happens in one place,
// gates/judge.ts.
//
// A measure knows nothing of YAML, of the cache or of reports: it asks its input for
// generations, perplexities and oracle records, and the runner decides where they come from.
// It reaches a subject only through its input, which reaches it only through a Runtime, so
// the backend a report names is the backend that ran. A measure module imports no engine or
// runtime code at load time (types only): loading the registry to validate claims loads no
// engine (test/gates/validate-imports.test.ts); what a measure needs of the engine's test
// data it imports inside observe().
//
// How to add a new kind of measure: write one file in measures/ exporting a `Measure` made by
// defineMeasure, and add one line to the registry in measures/index.ts. Claims then name it in
// `measure:` and set its `params:`; the claims schema (claims/schema.json) is generated from
// the registry by `refute gates schema`.

import type { JSONSchemaType } from "ajv";
import type { Capability, MeasureInputKind } from "../core/vocabulary.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import type {
  BenchmarkRequest,
  BenchmarkResult,
  Generation,
  GenerationSettings,
  KvCacheSettings,
  KvCompression,
  Perplexity,
  ScoreOptions,
  Scoring,
  ServingEndpoint,
  SubjectSpec,
  TopKEntry,
} from "../runtimes/runtime.ts";
import type { FileCommands } from "../runtimes/file-commands.ts";
import type { ModelFileTool } from "../runtimes/model-file-tool.ts";
import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";

/**
 * A prompt of the oracle set: its name (file stem) and its exact text; or a chat prompt, a
 * conversation each subject renders with its own chat template (the text it is then fed is that
 * render; `text` is the conversation as JSON, for keys and reports).
 */
export interface PromptRef {
  name: string;
  text: string;
  messages?: ChatMessage[];
}

/** The reference implementation's greedy output for one model and prompt. */
export interface OracleGeneration {
  model: string;
  prompt: string;
  tokens: number[];
  text: string;
  topk: TopKEntry[][];
  promptTokens?: number[]; // the reference's tokenization of the prompt, when the file has it
  finishReason?: "stop" | "length"; // why the reference stopped, when the file says
  endTokenIds?: number[]; // the tokens that stop the reference, when the file says
  renderedPrompt?: string; // a chat prompt: the reference's render of the conversation
  source: string; // the file it came from, for evidence
}

/**
 * Every greedy step's whole distribution under the reference (the oracle's .logprobs.f32):
 * all of the vocabulary ("full"), or the k most likely and the rest's total ("top", for large
 * vocabularies).
 */
export interface OracleDistributions {
  kind: "full" | "top";
  steps: number;
  vocab: number;
  /** log p of `token` at `step` (0-based); null where the file does not hold it (kind top, outside its k). */
  logprob(step: number, token: number): number | null;
  /** The tokens the file holds at `step`: every id (full), or the k most likely (top). */
  tokens(step: number): number[];
  source: string;
}

/** The reference implementation's perplexity on the held-out text of one model. */
export interface OraclePerplexity {
  model: string;
  perplexity: number;
  tokensScored: number;
  window: number;
  stride: number;
  text: string; // the held-out text itself, checked against the oracle's sha256
  textSha256: string;
  source: string;
}

/** A chat template's reference renders (Python's Jinja2 as transformers renders): each conversation and its text, or the error the template raised. */
export interface OracleChat {
  model: string;
  cases: { messages: { role: string; content: string }[]; addGenerationPrompt: boolean; rendered: string | null }[];
  source: string;
}

/** The independent encoder's token ids for the zoo's tokenizer test strings, one model's. */
export interface OracleTokenizer {
  model: string;
  cases: { text: string; ids: number[] }[];
  source: string;
}

export interface MeasureInput {
  subject: SubjectSpec;
  against?: SubjectSpec; // the second subject of a comparison (drift, roundtrip, ppl difference)
  prompts: PromptRef[]; // one for `input: "prompt"`, the claim's whole set for "prompts", none for "text"
  maxNewTokens: number;
  generate(subject: SubjectSpec, prompt: PromptRef, settings?: GenerationSettings): Promise<Generation>;
  /** The `run`-th greedy generation: 0 is generate's, each other one asked of the subject anew (not a cached answer). */
  generateAgain(subject: SubjectSpec, prompt: PromptRef, run: number): Promise<Generation>;
  perplexity(subject: SubjectSpec, text: string, window: number, stride: number, settings?: GenerationSettings): Promise<Perplexity>;
  /** The subject's own tokenization of a text. */
  tokenize(subject: SubjectSpec, text: string): Promise<number[]>;
  /** Forced decoding: the prompt, then `tokens` fed whatever the subject would have chosen. */
  score(subject: SubjectSpec, prompt: PromptRef, tokens: number[], options?: ScoreOptions): Promise<Scoring>;
  /** The subject's kernel backend (fault included): capability `kernels`. */
  kernels(subject: SubjectSpec): Promise<Kernels>;
  /** Wall-clock timing (llama-bench's pp and tg): capability `benchmark`. */
  benchmark(subject: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult>;
  /** The subject's float32 KV cache over the first `tokens` tokens of `text`, compressed as `kv` says: capability `kv-cache`. */
  kvCompression(subject: SubjectSpec, text: string, tokens: number, kv: KvCacheSettings): Promise<KvCompression>;
  /** The primitives of the subject's model-file tool (converters, importers, inspectors), fault included: capability `model-files`. */
  modelFiles(subject: SubjectSpec): Promise<ModelFileTool>;
  /** The commands of the subject's model-file tool, held for `use` and closed after it: capability `file-commands`. */
  fileCommands<T>(subject: SubjectSpec, use: (tools: FileCommands) => Promise<T>): Promise<T>;
  oracleGeneration(model: string, prompt: PromptRef): Promise<OracleGeneration>;
  /** The reference's perplexity on one of the held-out texts (default "heldout"; "shuffled": the less templated one). */
  oraclePerplexity(model: string, text?: "heldout" | "shuffled"): Promise<OraclePerplexity>;
  /** The whole distribution of each greedy step of the prompt; E_ORACLE_MISSING where the oracle has none. */
  oracleDistributions(model: string, prompt: PromptRef): Promise<OracleDistributions>;
  oracleTokenizer(model: string): Promise<OracleTokenizer>;
  oracleChat(model: string): Promise<OracleChat>;
  /** The subject's render of a conversation with its model's chat template (null: it has none): capability `chat-template`. */
  applyChatTemplate(subject: SubjectSpec, messages: { role: string; content: string }[], addGenerationPrompt: boolean): Promise<string | null>;
  /** The oracle's held-out text (oracle/ppl/heldout.txt), for a model that has no perplexity oracle of its own. */
  heldoutText(): Promise<string>;
  /** The subject's server API, held for the whole of `use`: capability `serving`. */
  serving<T>(subject: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>): Promise<T>;
}

/** Where two token sequences first part, with the reference's view of that step. */
export interface Divergence {
  prompt: string;
  reference: string; // what the observed sequence is compared with: "oracle", or the format before a roundtrip
  label?: string; // which subject, when a measure compares more than one ("q4_0")
  step: number; // 0-based index into the generated tokens
  expectedToken: number | null; // null: the expected sequence ended first
  observedToken: number | null; // null: the observed sequence ended first (EOS)
  mismatches: number; // positions that differ, over the longer of the two sequences
  length: number; // that longer length
  expectedTokens: number[];
  observedTokens: number[];
  expectedText: string;
  observedText: string;
  /** The reference's top-k at `step`, most likely first (empty when it has none). */
  referenceTopK: TopKEntry[];
  /** log p(top-1) - log p(top-2) of the reference at `step`: how close a call it was. */
  margin: number | null;
  /** log p of the observed token under the reference at `step`; null when outside its top-k. */
  observedLogprob: number | null;
}

export interface PerplexityEvidence {
  label?: string; // which subject, when a measure compares more than one
  subject: number;
  reference: number;
  tokensScored: number;
  referenceTokensScored: number;
  window: number;
  stride: number;
}

export interface Evidence {
  /** Token-level comparisons that differ (only those), one per prompt. */
  divergences?: Divergence[];
  /** Prompts compared and found identical, so the evidence says what was covered. */
  identical?: string[];
  perplexity?: PerplexityEvidence[];
  notes?: string[];
  /** The text of every token id the divergences name ("518": " Paris"), from the model's tokenizer.json; the runner adds it. */
  tokenTexts?: Record<string, string>;
  /** For a falsified check on a subject that can trace: where it first departs from the reference's trace (the runner adds it). */
  trace?: TraceEvidence;
}

/** The first tensor of a subject's trace over the bound (gates/trace.ts), on one prompt. */
export interface TraceEvidence {
  prompt: string;
  bound: number;
  first: { name: string; relative: number; position: number; element: number; subject: number; reference: number } | null;
}

export interface Observation {
  /** The measured quantity: a count, a perplexity, a text. */
  value: number | string;
  /** What a relative prediction is taken relative to (`threshold: {of: ...}`). */
  reference?: number | string;
  /** One line for a person: "7 of 32 tokens differ from the oracle, first at step 12". */
  summary: string;
  evidence: Evidence;
}

/** A measure's parameters: a JSON Schema of an object (made by paramsSchema, so it agrees with the params' type). */
export interface ParamsSchema {
  type: "object";
  additionalProperties: false;
  properties: Record<string, Record<string, unknown>>;
  required: string[];
}

/** The schema of params of type P, checked against P by ajv's JSONSchemaType at compile time. */
export function paramsSchema<P>(schema: JSONSchemaType<P>): ParamsSchema {
  return schema as unknown as ParamsSchema;
}

/** Params of a measure that takes none. */
export type NoParams = Record<string, never>;
export const NO_PARAMS: ParamsSchema = { type: "object", additionalProperties: false, properties: {}, required: [] };

export interface Measure<P = NoParams> {
  name: string;
  /** One line: what the measure observes, for the schema's completion and CLAIMS.md. */
  description: string;
  /** What one check covers: one prompt, a set of prompts, the held-out text, or the subject itself. */
  input: MeasureInputKind;
  /** Whether the claim must name a second subject (`against`). */
  needsAgainst: boolean;
  /** What `reference` is, as claims name it in `threshold: {of: ...}`; absent if none. */
  reference?: "oracle" | "against";
  /** Whether the observed value is a number or a text (compared with `eq` to its reference only). */
  value: "number" | "text";
  /** Which oracle records a check reads for its model (validate checks they exist): its prompts' generations, the perplexity record, or none. */
  oracle(params: P): OracleNeed;
  /** What the runtime must be able to do; a runtime without one of them gives `blocked`, naming it. */
  needs: readonly Capability[];
  /** The claim's `params:`, validated (defaults filled in) before the measure sees them. */
  params: ParamsSchema;
  /** The quantity's name in verdict lines, for these params: "mismatched tokens", "perplexity". */
  quantity(params: P): string;
  observe(input: MeasureInput, params: P): Promise<Observation>;
}

export type OracleNeed = "generations" | "perplexity" | "none";

/** A measure with its params type checked against its schema; the registry holds them untyped. */
export function defineMeasure<P>(measure: Measure<P>): Measure<P> {
  return measure;
}

// The registry's element type: any measure, its params validated by the runner against its own schema.
// biome-ignore lint/suspicious/noExplicitAny: params are checked at run time by the measure's schema
export type AnyMeasure = Measure<any>;
