// The embedded engine as a subject. A spec is prepared once per runtime instance (model,
// format, quantization, backend, fault) and reused by every check that names it. A GGUF
// file or a synthetic shape (synthetic:<shape>) is opened as the file llama.cpp reads.

import { isLlamaVocabulary } from "../core/llama-vocabularies.ts";
import { openTokenizer } from "../engine/open-tokenizer.ts";
import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import type { Tokenizer } from "../engine/tokenizer/tokenizer.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import type { TracedTensor } from "../engine/generate/trace.ts";
import { preparedSource } from "../engine/prepared-sources.ts";
import { fileIdentity } from "../core/file-identity.ts";
import { parseFault } from "../core/faults.ts";
import { hookedKernels } from "../engine/hooks.ts";
import { EngineModel } from "../engine/model.ts";
import { loadOptionsFor, openSource } from "../engine/open.ts";
import { modelLocation, subjectKey } from "../core/subject.ts";
import { CAPABILITIES, type Capability } from "../core/vocabulary.ts";
import { extractKvCache } from "../engine/kv/extract.ts";
import { checkKvOptions } from "../engine/kv/quantize.ts";
import { compressKv } from "../engine/kv/report.ts";
import { createKernels, describeKernels, wasmThreads } from "./backends.ts";
import { addressingFor } from "../engine/backends/wasm/module.ts";
import type { ModelSource } from "../engine/load.ts";
import { type HookReads, LOAD_OPERATION, recordingHooks, type SubjectOperation } from "../core/hook-reads.ts";
import { type FaultHooks, hooksFor } from "./fault-hooks.ts";
import { benchTokens, scoredStep } from "./logits.ts";
import { ggufFor, isSynthetic } from "./model-file.ts";
import { acquireOpenedFile, poolable, releaseOpenedFile } from "./opened-files.ts";
import { sourceProbes } from "./source-probes.ts";
import { residentBytes } from "./resident-bytes.ts";
import type { FileCommands } from "./file-commands.ts";
import type { ModelFileTool } from "./model-file-tool.ts";
import {
  BlockedError,
  type GenerationSettings,
  type KvCacheSettings,
  type KvCompression,
  type KvFidelity,
  type BenchmarkRequest,
  type TimedGeneration,
  type TimedGenerationRequest,
  type BenchmarkResult,
  type Generation,
  type Perplexity,
  type Runtime,
  type ScoreOptions,
  type Scoring,
  type SubjectSpec,
} from "./runtime.ts";

export interface EmbeddedOptions {
  threads?: number; // the cpu-wasm backend's (default REFUTE_THREADS, else every core)
  skipContract?: boolean; // load models that break their contract (engine/contract-gate.ts): --skip-contract
  /** The teeth run's clean pass: every hook a subject's computations read, recorded (core/hook-reads.ts). */
  hookReads?: HookReads;
}

/** The weights the embedded runtime keeps loaded across checks, at most (the zoo's models are 1-5 MB each). */
export const MODEL_CACHE_BYTES = 512 << 20;

/** Float32 KV caches an embedded runtime keeps extracted (a few MB each on the zoo; a long text on a large model more). */
const EXTRACTED_CACHES = 4;

/**
 * Model files that passed the contract gate in this process, by identity: a file the engine
 * runs as it is (a GGUF, a synthetic shape: no hook touches its bytes) passes or fails the same
 * way each time it loads, and its scan costs seconds on a large one (every teeth pass loads it
 * again). A file changed since (size, times or inode) is checked again.
 */
const CONTRACT_PASSED = new Set<string>();

/** Bytes a source's weights take in a backend's memory: f16 and bf16 matrices run as float32 copies, twice their bytes. */
const sourceBytes = (source: ModelSource): number => [...source.tensors.values()].reduce((n, t) => n + (t.dtype === "f16" || t.dtype === "bf16" ? 2 : 1) * t.data.byteLength, 0);

export class EmbeddedRuntime implements Runtime {
  readonly name = "embedded" as const;
  // every capability but serving: the engine in-process has no HTTP API (runtime refute-serve puts it behind one)
  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES.filter((c) => c !== "serving"));
  private readonly threads: number;
  private readonly skipContract: boolean;
  private readonly hookReads: HookReads | undefined;
  /** What the engine is doing for the subject now, for its hook reads: a model's load, else the operation asked (set around its synchronous work). */
  private operation: SubjectOperation = LOAD_OPERATION;

  constructor(options: EmbeddedOptions = {}) {
    this.threads = options.threads ?? wasmThreads();
    this.skipContract = options.skipContract === true;
    this.hookReads = options.hookReads;
  }

  /**
   * The engine hooks of the subject's injected fault (none without one), recording their reads
   * where asked: as `operation`'s when given (hooks handed to a tool that reads them later),
   * else as the operation under way (during()), a load outside any.
   */
  hooksOf(spec: SubjectSpec, operation?: SubjectOperation): FaultHooks {
    const hooks = hooksFor(parseFault(spec.inject));
    const reads = this.hookReads;
    if (!reads || spec.inject) return hooks;
    return recordingHooks(
      hooks,
      (hook) => reads.record(spec, hook, operation ?? this.operation),
      sourceProbes((fault, changed) => reads.recordSourceEffect(spec, fault, changed)),
    );
  }

  /** Any subject: the engine prepares the claim's model in the claim's format and quant itself. */
  serves(): string | null {
    return null;
  }
  // The models loaded, least recently used first; kept while their weights (about 4 bytes a
  // parameter, less when quantized) fit MODEL_CACHE_BYTES, so a matrix of thousands of models
  // runs in bounded memory while a run's few subjects each load once.
  private readonly models = new Map<string, EngineModel>();
  private readonly vocabularies = new Map<string, Tokenizer>();
  private readonly backends = new Map<string, Promise<Kernels>>();
  /** The files this runtime opened through the process's pool (runtimes/opened-files.ts), given back on close. */
  private readonly openedFiles: string[] = [];

  /**
   * The backend's kernels, made once per runtime and shared by its models; a model of more
   * weight bytes than a 32-bit WebAssembly memory holds gets the 64-bit one (addressingFor).
   */
  private backend(backend: SubjectSpec["backend"], modelBytes = 0): Promise<Kernels> {
    const addressing = backend === "cpu" || backend === "cpu-wasm" ? addressingFor(modelBytes) : "memory32";
    const key = `${backend} ${addressing}`;
    let kernels = this.backends.get(key);
    if (!kernels) {
      kernels = createKernels(backend, this.threads, addressing);
      this.backends.set(key, kernels);
    }
    return kernels;
  }

  /** The subject's model as the engine prepared it (its fault's hooks included), loaded once and kept while it fits. */
  async model(spec: SubjectSpec): Promise<EngineModel> {
    const key = subjectKey(spec);
    let model = this.models.get(key);
    if (model) {
      this.models.delete(key);
      this.models.set(key, model);
    } else {
      const hooks = this.hooksOf(spec);
      // A GGUF file or a synthetic shape runs as the very file llama.cpp reads (no fault applies to its bytes), read straight into the kernels' memory.
      const location = modelLocation(spec);
      const asFile = isSynthetic(location) || location.toLowerCase().endsWith(".gguf");
      let source: ModelSource;
      let kernels: Kernels;
      let passed: string | null = null;
      if (asFile) {
        const file = ggufFor(spec);
        passed = fileIdentity(file);
        if (poolable(spec.backend)) {
          const acquired = acquireOpenedFile(file, spec.backend, this.threads);
          this.openedFiles.push(acquired.key);
          ({ kernels, source } = await acquired.opened);
        } else {
          kernels = await this.backend(spec.backend, residentBytes(file));
          source = openSource(file, loadOptionsFor(kernels));
        }
      } else {
        source = preparedSource(location, spec.format, spec.quant, hooks);
        kernels = await this.backend(spec.backend, sourceBytes(source));
      }
      model = new EngineModel(source, kernels, hooks, { skipContract: this.skipContract || (passed !== null && CONTRACT_PASSED.has(passed)) });
      if (passed !== null && !this.skipContract) CONTRACT_PASSED.add(passed);
      this.models.set(key, model);
      this.evictBeyond(MODEL_CACHE_BYTES);
    }
    return model;
  }

  /** Drops the least recently used models until the rest fit `bytes` (the newest always stays). */
  private evictBeyond(bytes: number): void {
    let held = [...this.models.values()].reduce((n, m) => n + 4 * m.parameters, 0);
    for (const [key, m] of this.models) {
      if (held <= bytes || this.models.size === 1) break;
      this.models.delete(key);
      held -= 4 * m.parameters;
    }
  }

  /**
   * Runs `work` (synchronous: nothing else runs meanwhile) as `operation`, so the hooks it reads
   * are that operation's. The model it works on is loaded before, outside it.
   */
  private during<T>(operation: SubjectOperation, work: () => T): T {
    this.operation = operation;
    try {
      return work();
    } finally {
      this.operation = LOAD_OPERATION;
    }
  }

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    // A llama.cpp vocabulary file has no weights: its tokenizer alone.
    if (isLlamaVocabulary(spec.model)) return this.during("tokenize", () => this.vocabularyTokenizer(spec).encode(text));
    const model = await this.model(spec);
    return this.during("tokenize", () => model.tokenizer.encode(text));
  }

  async applyChatTemplate(spec: SubjectSpec, messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string | null> {
    const model = await this.model(spec);
    return this.during("chat", () => model.renderChat(messages, addGenerationPrompt));
  }

  private vocabularyTokenizer(spec: SubjectSpec): Tokenizer {
    const key = subjectKey(spec);
    let tokenizer = this.vocabularies.get(key);
    if (!tokenizer) {
      tokenizer = openTokenizer(modelLocation(spec), this.hooksOf(spec));
      this.vocabularies.set(key, tokenizer);
    }
    return tokenizer;
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number, settings: GenerationSettings = {}): Promise<Generation> {
    const model = await this.model(spec);
    const r = this.during("generate", () => model.generate(prompt, maxNewTokens, 10, settings.kvCache ?? null));
    return { promptTokens: r.promptTokens, tokens: r.tokens, text: r.text, topk: r.topk, finishReason: r.finishReason };
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    const model = await this.model(spec);
    return this.during("score", () => {
      const promptTokens = model.encodePrompt(prompt);
      return { promptTokens, steps: scoreTokens(model, promptTokens, tokens, options) };
    });
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number, settings: GenerationSettings = {}): Promise<Perplexity> {
    const model = await this.model(spec);
    const r = this.during("perplexity", () => model.perplexity(text, window, stride, undefined, settings.kvCache ?? null));
    return { perplexity: r.perplexity, tokensScored: r.tokensScored, window: r.window, stride: r.stride };
  }

  /** llama-bench's pp and tg, on the backend's threads (the runtime's; cpu-ts has one). */
  async benchmark(spec: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult> {
    const model = await this.model(spec);
    return this.during("benchmark", () => benchmarkRuns(model, request));
  }

  async timedGeneration(spec: SubjectSpec, request: TimedGenerationRequest): Promise<TimedGeneration> {
    const model = await this.model(spec);
    return this.during("benchmark", () => timedGenerations(model, request));
  }

  async trace(spec: SubjectSpec, tokens: number[]): Promise<TracedTensor[]> {
    const model = await this.model(spec);
    return this.during("trace", () => model.trace(tokens));
  }

  async kernels(spec: SubjectSpec): Promise<Kernels> {
    const base = await this.backend(spec.backend);
    return this.during("kernels", () => hookedKernels(base, this.hooksOf(spec)));
  }

  // The float32 caches extracted lately, by subject and token count: claims that compress one
  // cache at several bit widths and group sizes run the model over the text once. A few kept.
  private readonly extracted = new Map<string, { text: string; cache: ReturnType<typeof extractKvCache> }>();

  private extractedCache(spec: SubjectSpec, model: EngineModel, text: string, tokens: number): ReturnType<typeof extractKvCache> {
    const key = `${subjectKey(spec)} ${tokens}`;
    const held = this.extracted.get(key);
    if (held?.text === text) return held.cache;
    const cache = extractKvCache(model, model.tokenizer.encode(text).slice(0, tokens), spec.model);
    this.extracted.delete(key);
    this.extracted.set(key, { text, cache });
    for (const oldest of this.extracted.keys()) {
      if (this.extracted.size <= EXTRACTED_CACHES) break;
      this.extracted.delete(oldest);
    }
    return cache;
  }

  /** The float32 cache the model builds over the first `tokens` tokens of `text`, compressed as `refute kv compress` does. */
  async kvCompression(spec: SubjectSpec, text: string, tokens: number, kv: KvCacheSettings): Promise<KvCompression> {
    const model = await this.model(spec);
    checkKvOptions(kv, model.arch.headDim);
    const r = this.during("kv-compression", () => compressKv(this.extractedCache(spec, model, text, tokens), kv, this.hooksOf(spec)).report);
    const fidelity = (m: KvFidelity): KvFidelity => ({ snrDb: m.snrDb, cosine: m.cosine, maxAbsError: m.maxAbsError });
    return {
      ...fidelity(r),
      count: r.count,
      quality: r.quality,
      compressionRatio: r.compressionRatio,
      originalBytes: r.originalBytes,
      compressedBytes: r.compressedBytes,
      keys: fidelity(r.keys),
      values: fidelity(r.values),
      tensors: r.tensors.map((t) => ({ name: t.name, ...fidelity(t) })),
    };
  }

  /** refute's own inspect/validate/tensors/diff/list on files the engine writes with the subject's fault's hooks. */
  async fileCommands(spec: SubjectSpec): Promise<FileCommands> {
    const { EmbeddedFileCommands } = await import("./embedded-file-commands.ts");
    return new EmbeddedFileCommands(modelLocation(spec), this.hooksOf(spec, "files"));
  }

  /** The engine's converters, importers, loader and diff on the subject's model, with its fault's hooks; loaded when a model-file claim first asks. */
  async modelFiles(spec: SubjectSpec): Promise<ModelFileTool> {
    const { EngineModelFileTool } = await import("./embedded-model-file-tool.ts");
    return new EngineModelFileTool(modelLocation(spec), this.hooksOf(spec, "files"), await this.backend(spec.backend));
  }

  /** What a benchmark ran: parameter count and shape of the prepared model. */
  async modelInfo(spec: SubjectSpec): Promise<{ params: number; family: string; layers: number; hidden: number; vocabSize: number; maxPositions: number }> {
    const model = await this.model(spec);
    const { family, layers, hidden, vocabSize, maxPositions } = model.arch;
    return { params: model.parameters, family, layers, hidden, vocabSize, maxPositions };
  }

  async close(): Promise<void> {
    this.models.clear();
    for (const key of this.openedFiles.splice(0)) releaseOpenedFile(key);
    const backends = [...this.backends.values()];
    this.backends.clear();
    for (const kernels of await Promise.allSettled(backends)) if (kernels.status === "fulfilled") await kernels.value.close?.();
  }
}


/** llama-bench's pp or tg on `model`: `warmup` untimed runs (default 1), then `reps` timed. */
function benchmarkRuns(model: EngineModel, request: BenchmarkRequest): BenchmarkResult {
  const ids = benchTokens(request.tokens, model.arch.vocabSize);
  const session = model.session(Math.min(model.arch.maxPositions, request.tokens + 1));
  const once = request.kind === "pp" ? () => prefill(session, ids) : () => decode(session, model, ids[0], request.tokens);
  for (let i = 0; i < (request.warmup ?? 1); i++) once();
  const samplesMs: number[] = [];
  for (let r = 0; r < request.reps; r++) {
    const started = performance.now();
    once();
    samplesMs.push(performance.now() - started);
  }
  session.dispose();
  return { samplesMs, tokens: request.tokens, threads: (model.kernels as { threads?: number }).threads ?? 1, backend: describeKernels(model.kernels) };
}

/** Each repetition's time to the first token and then to the end of a greedy continuation, after `warmup` untimed ones. */
function timedGenerations(model: EngineModel, request: TimedGenerationRequest): TimedGeneration {
  const timed = () => {
    const started = performance.now();
    model.generate(request.prompt, 1, 1, null);
    const first = performance.now();
    const { tokens } = model.generate(request.prompt, request.maxNewTokens, 1, null);
    return { firstTokenMs: first - started, totalMs: performance.now() - first, tokens };
  };
  for (let i = 0; i < request.warmup; i++) timed();
  const runs = Array.from({ length: request.reps }, timed);
  return { firstTokenMs: runs.map((r) => r.firstTokenMs), samplesMs: runs.map((r) => r.totalMs), tokens: runs.map((r) => r.tokens), threads: (model.kernels as { threads?: number }).threads ?? 1, backend: describeKernels(model.kernels) };
}

/** Forced decoding on a fresh session: step i's logits are those after tokens[0..i-1]. */
export function scoreTokens(model: EngineModel, promptTokens: number[], tokens: number[], options: ScoreOptions = {}): Scoring["steps"] {
  if (promptTokens.length === 0) throw new BlockedError("the prompt encodes to no tokens: nothing to condition on");
  const k = options.topK ?? 10;
  const session = model.session(Math.min(model.arch.maxPositions, promptTokens.length + tokens.length));
  try {
    const steps: Scoring["steps"] = [];
    if (tokens.length === 0) return steps;
    steps.push(scoredStep(session.prefill(promptTokens), tokens[0], k, options.candidates?.[0]));
    // the logits after forced token i score token i + 1 (batched where the backend can)
    session.forward(tokens.slice(0, -1), 0, (i, logits) => steps.push(scoredStep(logits, tokens[i + 1], k, options.candidates?.[i + 1])));
    return steps;
  } finally {
    session.dispose();
  }
}

type Session = ReturnType<EngineModel["session"]>;

function prefill(session: Session, ids: number[]): void {
  session.reset();
  session.prefill(ids);
}

/** tg: `count` tokens decoded one at a time from an empty context, each chosen by argmax. */
function decode(session: Session, model: EngineModel, first: number, count: number): void {
  session.reset();
  let token = first;
  for (let i = 0; i < count; i++) token = model.kernels.argmax(session.step(token) as Float32Array);
}
