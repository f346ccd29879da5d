// The one interface every subject implements: the embedded engine, llama.cpp, an
// OpenAI-compatible server, a CLI. Measures in suites/ talk only to this interface;
// they know nothing of model internals.

/** Where a model comes from and how it is turned into the thing under test. */
export type Format = "safetensors" | "native" | "gguf" | "roundtrip";
// "roundtrip": SafeTensors -> native -> GGUF -> reimported native, then run.

export type Quant = "f32" | "bf16" | "q8_0" | "q4_0" | "q4_k";
export type Backend = "cpu" | "cpu-ts" | "cpu-wasm" | "cuda";
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

export interface Runtime {
  readonly name: RuntimeName;
  tokenize(spec: SubjectSpec, text: string): Promise<number[]>;
  generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation>;
  perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity>;
  close(): Promise<void>;
}

/** A subject that cannot run here (no CUDA device, no model file) says so with this. */
export class BlockedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "BlockedError";
  }
}
