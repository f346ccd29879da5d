// The shape every measure shares: what it is given (MeasureInput), what it returns
// (Observation). A measure observes; it never judges. Comparing an observation with a
// claim's prediction happens in one place, gates/judge.ts.
//
// A measure knows nothing of YAML, of the cache or of reports: it asks its input for
// generations, perplexities and oracle records, and the runner decides where they come from.
//
// How to add a new kind of measure: write one file in suites/ exporting a `Measure`,
// and add one line to the registry in suites/index.ts. Claims then name it in `measure:`.

import type { Kernels } from "../engine/backends/kernels.ts";
import type { BenchmarkRequest, BenchmarkResult, Generation, Perplexity, ScoreOptions, Scoring, SubjectSpec, TopKEntry } from "../runtimes/runtime.ts";

/** A prompt of the zoo's oracle set: its name (file stem) and its exact text. */
export interface PromptRef {
  name: string;
  text: string;
}

/** The reference implementation's greedy output for one model and prompt. */
export interface OracleGeneration {
  model: string;
  prompt: string;
  tokens: number[];
  text: string;
  topk: TopKEntry[][];
  promptTokens?: number[]; // the reference's tokenization of the prompt, when the file has it
  source: string; // the file it came from, for evidence
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

export interface MeasureInput {
  subject: SubjectSpec;
  against?: SubjectSpec; // the second subject of a comparison (drift, roundtrip, ppl difference)
  prompts: PromptRef[]; // one for `input: "prompt"`, the claim's whole set for "prompts", none for "text"
  maxNewTokens: number;
  generate(subject: SubjectSpec, prompt: PromptRef): Promise<Generation>;
  perplexity(subject: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity>;
  /** The subject's own tokenization of a text. */
  tokenize(subject: SubjectSpec, text: string): Promise<number[]>;
  /** Forced decoding: the prompt, then `tokens` fed whatever the subject would have chosen. */
  score(subject: SubjectSpec, prompt: PromptRef, tokens: number[], options?: ScoreOptions): Promise<Scoring>;
  /** The subject's kernel backend (fault included); blocked for runtimes other than the embedded engine. */
  kernels(subject: SubjectSpec): Promise<Kernels>;
  /** Wall-clock timing (llama-bench's pp and tg); blocked where the runtime cannot be timed in-process. */
  benchmark(subject: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult>;
  oracleGeneration(model: string, prompt: PromptRef): Promise<OracleGeneration>;
  oraclePerplexity(model: string): Promise<OraclePerplexity>;
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

export interface Measure {
  name: string;
  /** What one check covers: one prompt, a set of prompts, the held-out text, or the subject itself. */
  input: "prompt" | "prompts" | "text" | "subject";
  /** Whether the claim must name a second subject (`against`). */
  needsAgainst: boolean;
  /** What `reference` is, as claims name it in `threshold: {of: ...}`; absent if none. */
  reference?: "oracle" | "against";
  /** The quantity's name in verdict lines: "mismatched tokens", "perplexity". */
  quantity: string;
  observe(input: MeasureInput): Promise<Observation>;
}
