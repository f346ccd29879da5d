// The project's one vocabulary: every closed set of names that claims, the CLI, the schema,
// the runner and the engine share. Each is an `as const` array; its TypeScript type, the
// command-line parsers, the JSON Schema enums (gates/claim-schema.ts) and the subject key
// (core/subject.ts) all derive from it, so adding a name is one edit here.
//
// This module imports nothing: loading it costs nothing, and every layer may use it.

/** How a model reaches the subject. "roundtrip": SafeTensors -> native -> GGUF -> reimported native, then run. */
export const FORMATS = ["safetensors", "native", "gguf", "roundtrip"] as const;
export type Format = (typeof FORMATS)[number];

/** The weight types a claim can ask for. bf16 is a source dtype; the others are what the engine quantizes to. */
export const QUANTS = ["f32", "bf16", "f16", "q8_0", "q4_0", "q4_k"] as const;
export type Quant = (typeof QUANTS)[number];

/** The quantizations the engine writes (native and GGUF files): every claim quant but the bf16 source dtype. */
export const FILE_QUANTS = ["f32", "q8_0", "q4_0", "q4_k"] as const;
export type FileQuant = (typeof FILE_QUANTS)[number];

/** The embedded engine's kernel backends. "cpu": the fastest CPU backend available here. */
export const BACKENDS = ["cpu", "cpu-wasm", "cpu-ts", "cuda"] as const;
export type Backend = (typeof BACKENDS)[number];

/** The kinds of runtime a subject runs through; each is also the name of that kind's default runtime. */
export const RUNTIMES = ["embedded", "llamacpp", "llama-server", "refute-serve", "http", "cli", "reference"] as const;
export type RuntimeKind = (typeof RUNTIMES)[number];
/** A runtime's name: a kind (its default runtime), or a runtime configured in refute.config.yaml. */
export type RuntimeName = string;

/** The model families the engine implements (engine/model/families/). */
export const FAMILIES = ["llama", "qwen2", "gpt2"] as const;
export type Family = (typeof FAMILIES)[number];

/** The random-weight models of real checkpoints' shapes (bench/synthetic.ts), named `synthetic:<shape>`. */
export const SYNTHETIC_SHAPES = ["smollm-135m-shape", "qwen2-0.5b-shape", "tinyllama-1.1b-shape", "qwen2-1.5b-shape"] as const;
export const SYNTHETIC_PREFIX = "synthetic:";

/**
 * What a runtime can do for a measure. A measure names the capabilities it needs; a check
 * whose runtime lacks one is blocked, naming it.
 *   generate    greedy generation with the top-k of every step
 *   score       forced decoding: log p of given tokens, top-k per step
 *   tokenize    the subject's own tokenization of a text
 *   perplexity  sliding-window perplexity of a text
 *   benchmark   wall-clock pp/tg timings taken in-process
 *   kernels     the backend's kernels, for kernel-level probes
 *   kv-cache    generation and perplexity through a quantized KV cache, and the cache's compression
 *   model-files the subject's model-file tools: converters, importers, contracts, diff
 *   file-commands the commands of a model-file tool over its files: inspect, validate, tensors, diff, list
 *   trace       the activations of every layer for a token sequence (refute trace)
 *   serving     an OpenAI-compatible server's HTTP API itself, for requests a serving claim makes
 *               (concurrent, streamed, sampled, chat)
 */
export const CAPABILITIES = ["generate", "score", "tokenize", "chat-template", "perplexity", "benchmark", "kernels", "kv-cache", "model-files", "file-commands", "trace", "serving"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** observed <comparator> threshold */
export const COMPARATORS = ["eq", "le", "lt", "ge", "gt"] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** What one check of a measure covers: one prompt, a set of prompts, the held-out text, or the subject itself. */
export const MEASURE_INPUTS = ["prompt", "prompts", "text", "subject"] as const;
export type MeasureInputKind = (typeof MEASURE_INPUTS)[number];

/** Whether `value` is one of the names of `vocabulary` (a type guard for parsers). */
export function isOneOf<T extends string>(vocabulary: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (vocabulary as readonly string[]).includes(value);
}
