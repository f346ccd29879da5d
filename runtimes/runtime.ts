// The one interface every subject implements: the embedded engine, llama.cpp, an
// OpenAI-compatible server, a CLI. Measures in measures/ talk only to this interface (through
// the runner's subject cache); they know nothing of model internals. A runtime declares its
// capabilities (core/vocabulary.ts); the optional methods are those capabilities, and a
// request a runtime has no capability for is refused (blocked), never served approximately.

import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import type { SubjectSpec } from "../core/subject.ts";
import type { Capability, RuntimeName } from "../core/vocabulary.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import type { TracedTensor } from "../engine/generate/trace.ts";
import type { FileCommands } from "./file-commands.ts";
import type { ModelFileTool } from "./model-file-tool.ts";

export type { SubjectSpec } from "../core/subject.ts";
export type { Backend, Format, Quant, RuntimeName } from "../core/vocabulary.ts";


/** The `log p` of one candidate token at one step. */
export interface TopKEntry {
  token: number;
  logprob: number;
}

export interface Generation {
  promptTokens: number[];
  tokens: number[]; // generated ids, greedy, exactly maxNewTokens unless an end token ends it (included)
  text: string; // decoded generated tokens only
  topk: TopKEntry[][]; // per generated step, most likely first
  /** stop: the subject ended at an end-of-sequence token; length: max_new_tokens reached; absent: the subject does not say */
  finishReason?: "stop" | "length";
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

/**
 * A prompt's greedy continuation, timed per repetition twice: a one-token generation (the time
 * to first token: tokenizing, prefill and one step) and a `maxNewTokens` one (its tokens kept,
 * for verification). Nothing else is computed on the way (no top-k).
 */
export interface TimedGenerationRequest {
  prompt: string;
  maxNewTokens: number;
  reps: number;
  warmup: number;
}

export interface TimedGeneration {
  firstTokenMs: number[]; // one per repetition
  samplesMs: number[]; // the whole generation, one per repetition
  tokens: number[][]; // what each repetition generated
  threads: number;
  backend: string;
}

/** A quantized KV cache: symmetric int8 or int4 per group of `groupSize` values along head_dim, f16 scales. */
export interface KvCacheSettings {
  bits: 8 | 4;
  groupSize: 32 | 64 | 128;
  sparsity: number; // in [0, 1): the share of smallest-magnitude values per group set to zero; 0 = off
}

/** How a generation or a perplexity is run, beyond greedy decoding's defaults. */
export interface GenerationSettings {
  kvCache?: KvCacheSettings; // absent: the runtime's own (float32 for the engine); capability `kv-cache`
}

/** Error of a compressed KV cache against the float32 one it came from. */
export interface KvFidelity {
  snrDb: number;
  cosine: number;
  maxAbsError: number;
}

export interface KvCompression extends KvFidelity {
  count: number; // values compared
  quality: string; // the seed's words for the SNR: excellent, good, ...
  compressionRatio: number;
  originalBytes: number;
  compressedBytes: number;
  keys: KvFidelity;
  values: KvFidelity;
  tensors: ({ name: string } & KvFidelity)[];
}

/** Where a server's OpenAI-compatible API is, for a serving claim's own requests. */
export interface ServingEndpoint {
  baseUrl: string; // e.g. http://127.0.0.1:8080 (paths /v1/... are appended)
  model: string; // the `model` every request names
  headers: Record<string, string>; // sent with every request (may hold secrets: never reported)
  timeoutMs: number; // per request
  maxBodyBytes: number; // the largest response body read
  /** How the server was started, for the report (slots, context, prompt cache, seed). */
  settings: Record<string, string | number | boolean>;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** What this runtime can do for a measure; the optional methods below are present exactly for these. */
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * Null when this runtime provides exactly this subject (model, format, quant), else why not,
   * naming what was asked and what is served. A check is never run on a stand-in: a server
   * that holds one quant is not asked about another.
   */
  serves(spec: SubjectSpec): string | null;
  tokenize(spec: SubjectSpec, text: string): Promise<number[]>;
  /** The subject's render of a conversation with its model's own chat template (null: the model, as the subject has it, has none): `chat-template`. */
  applyChatTemplate?(spec: SubjectSpec, messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string | null>;
  generate(spec: SubjectSpec, prompt: string, maxNewTokens: number, settings?: GenerationSettings): Promise<Generation>;
  /** Forced decoding: feed `tokens` after the prompt and report each one's log p and the top-k. */
  score(spec: SubjectSpec, prompt: string, tokens: number[], options?: ScoreOptions): Promise<Scoring>;
  perplexity(spec: SubjectSpec, text: string, window: number, stride: number, settings?: GenerationSettings): Promise<Perplexity>;
  /** Timing, where the subject can be timed in-process (embedded, llama.cpp): `benchmark`. */
  benchmark?(spec: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult>;
  /** A prompt's greedy continuation timed, `warmup` unmeasured runs first; with `benchmark`. */
  timedGeneration?(spec: SubjectSpec, request: TimedGenerationRequest): Promise<TimedGeneration>;
  /** The kernel backend a subject runs on, its injected fault included: `kernels`. */
  kernels?(spec: SubjectSpec): Promise<Kernels>;
  /** The subject's float32 KV cache over `tokens` of `text`, compressed with `kv`: `kv-cache`. */
  kvCompression?(spec: SubjectSpec, text: string, tokens: number, kv: KvCacheSettings): Promise<KvCompression>;
  /**
   * A standalone command that makes the generation request refute made, outside refute (the
   * HTTP request as curl, the CLI's command line), for a runtime's maintainer; secrets appear
   * as the environment variables that hold them.
   */
  reproduction?(spec: SubjectSpec, prompt: string, maxNewTokens: number): string;
  /** The primitives of the subject's model-file tool (converters, importers, inspectors), its injected fault included: `model-files`. */
  modelFiles?(spec: SubjectSpec): Promise<ModelFileTool>;
  /** The commands of the subject's model-file tool over the files of its model (inspect, validate, tensors, diff, list): `file-commands`. Closed by the caller. */
  fileCommands?(spec: SubjectSpec): Promise<FileCommands>;
  /**
   * The subject's server API, held for the whole of `use` (a runner that starts servers does
   * not stop this one meanwhile): `serving`.
   */
  serving?<T>(spec: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>): Promise<T>;
  /** The activations at every trace point for every position of `tokens`, in forward order: `trace`. */
  trace?(spec: SubjectSpec, tokens: number[]): Promise<TracedTensor[]>;
  close(): Promise<void>;
}

/** The capability a request needs, refused with the runtime's name and the capability when it is missing. */
export function requireCapability(runtime: Pick<Runtime, "name" | "capabilities">, capability: Capability): void {
  if (!runtime.capabilities.has(capability)) throw new BlockedError(`runtime ${runtime.name} lacks capability '${capability}'`);
}

/** The subject itself, refused (blocked with the runtime's reason) when the runtime cannot provide it. */
export function requireServed(runtime: Pick<Runtime, "serves">, spec: SubjectSpec): void {
  const refusal = runtime.serves(spec);
  if (refusal !== null) throw new BlockedError(refusal);
}

/** A subject that cannot run here (no CUDA device, no model file) says so with this. */
export class BlockedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "BlockedError";
  }
}

/** The tool refused a file: its command exited non-zero (validate's "not valid" excepted). The probes count it; it is the tool's answer, not a failure to ask. */
export class ToolCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | string,
    readonly stderr: string,
  ) {
    super(`${command}: exit code ${exitCode}${stderr.trim() ? `: ${stderr.trim().slice(-400)}` : ""}`);
    this.name = "ToolCommandError";
  }
}
