// The one interface every subject implements: the embedded engine, llama.cpp, an
// OpenAI-compatible server, a CLI. Measures in suites/ talk only to this interface;
// they know nothing of model internals (kernel-level claims see the embedded engine's
// backend through the one optional `kernels`).

import type { Kernels } from "../engine/backends/kernels.ts";

/** Where a model comes from and how it is turned into the thing under test. */
export type Format = "safetensors" | "native" | "gguf" | "roundtrip";
// "roundtrip": SafeTensors -> native -> GGUF -> reimported native, then run.

export type Quant = "f32" | "bf16" | "q8_0" | "q4_0" | "q4_k";
export type Backend = "cpu" | "cpu-ts" | "cpu-wasm" | "cuda";
export const BACKENDS: readonly Backend[] = ["cpu", "cpu-wasm", "cpu-ts", "cuda"];
export type RuntimeName = "embedded" | "llamacpp" | "http" | "cli";

/** One point of a claim's matrix: what a check runs on. */
export interface SubjectSpec {
  model: string; // zoo slug or a path to a model directory or file
  format: Format;
  quant: Quant;
  backend: Backend;
  runtime: RuntimeName;
  inject?: string; // a fault from the teeth catalogue; absent on a clean run
}

/** The `log p` of one candidate token at one step. */
export interface TopKEntry {
  token: number;
  logprob: number;
}

export interface Generation {
  promptTokens: number[];
  tokens: number[]; // generated ids, greedy, exactly maxNewTokens unless EOS ends it
  text: string; // decoded generated tokens only
  topk: TopKEntry[][]; // per generated step, most likely first
}

export interface Perplexity {
  perplexity: number;
  tokensScored: number;
  window: number;
  stride: number;
}

/** What forced decoding is asked for: how many alternatives, and which tokens' log p. */
export interface ScoreOptions {
  topK?: number; // default 10
  /** candidates[i]: tokens whose log p at step i the caller wants, whatever their rank. */
  candidates?: number[][];
}

/** One step of forced decoding: the distribution after the prompt and tokens[0..i-1]. */
export interface ScoredStep {
  token: number; // the token fed here (tokens[i])
  logprob: number; // log p(tokens[i] | prompt, tokens[0..i-1])
  topk: TopKEntry[]; // the subject's most likely tokens at this step, most likely first
  candidates?: (number | null)[]; // log p of options.candidates[i], in order; null where the subject cannot say
}

export interface Scoring {
  promptTokens: number[];
  steps: ScoredStep[];
}

/** Wall-clock samples of llama-bench's two tests: prompt processing and token generation. */
export interface BenchmarkRequest {
  kind: "pp" | "tg"; // pp: one prompt of `tokens` tokens; tg: `tokens` tokens decoded one by one from an empty context
  tokens: number;
  reps: number;
  warmup?: number; // unmeasured runs first; default 1
  round?: number; // tells apart otherwise identical requests (repetitions alternated between two subjects)
}

export interface BenchmarkResult {
  samplesMs: number[]; // one per repetition
  tokens: number;
  threads: number;
  backend: string; // what actually ran: "cpu-ts", "llama.cpp cpu", ...
}

export interface Runtime {
  readonly name: RuntimeName;
  tokenize(spec: SubjectSpec, text: string): Promise<number[]>;
  generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation>;
  /** Forced decoding: feed `tokens` after the prompt and report each one's log p and the top-k. */
  score(spec: SubjectSpec, prompt: string, tokens: number[], options?: ScoreOptions): Promise<Scoring>;
  perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity>;
  /** Timing, where the subject can be timed in-process (embedded, llama.cpp). */
  benchmark?(spec: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult>;
  /** The kernel backend a subject runs on, its injected fault included: the embedded engine's alone, for kernel-level claims. */
  kernels?(spec: SubjectSpec): Promise<Kernels>;
  close(): Promise<void>;
}

/** A subject that cannot run here (no CUDA device, no model file) says so with this. */
export class BlockedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "BlockedError";
  }
}
