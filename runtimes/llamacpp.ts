// llama.cpp as a subject, through node-llama-cpp's prebuilt CPU binary (never built here).
// It runs the GGUF the engine exports (runtimes/model-file.ts) with the settings measured to
// make it deterministic and comparable with the engine:
//
//   getLlama({gpu: false, build: "never"}); one thread (two on a 2-core machine made timings
//   erratic); F32 KV cache (the engine's cache is f32); flash attention off; greedy through
//   LlamaContextSequence.evaluate at temperature 0, stopped after exactly N tokens
//   (LlamaCompletion can return more than asked) and not at EOS (yieldEogToken: the oracle and
//   the engine decode through it); log-probs through controlledEvaluate with
//   generateNext {logits: true}; clearHistory() before every run.
//
// Prompts are tokenized by the engine's tokenizer and fed as ids, so a comparison with the
// engine is about the forward pass alone; `tokenize` answers with llama.cpp's own tokenizer,
// so the two tokenizers can be compared as a separate observation.
//
// A missing binary or a model llama.cpp refuses is a BlockedError with the reason, never a crash.

import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { isLlamaVocabulary } from "../core/llama-vocabularies.ts";
import { modelLocation } from "../core/subject.ts";
import type { Capability } from "../core/vocabulary.ts";
import { openSource } from "../engine/open.ts";
import { tokenizerFromJson, type Tokenizer } from "../engine/tokenizer/tokenizer.ts";
import { benchTokens, logitsFromMap, perplexityWindows, scoredStep, logSumExp } from "./logits.ts";
import { llamaCppGgufFor, ggufRefusal } from "./model-file.ts";
import {
  BlockedError,
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

export interface LlamacppOptions {
  threads?: number; // default 1
  contextSize?: number; // default 2048; never more than the model's trained context
}

interface Loaded {
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  vocabSize: number;
  tokenizer?: Tokenizer; // the engine's, loaded on first use
}

type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Which llama.cpp binary: the CPU one, or the CUDA build (npm @node-llama-cpp/linux-x64-cuda, not installed by default). */
export type LlamaDevice = "cpu" | "cuda";

/** Loads llama.cpp through node-llama-cpp; a missing package or binary is a BlockedError saying which. */
export async function openLlama(importer: () => Promise<NodeLlamaCpp> = () => import("node-llama-cpp"), device: LlamaDevice = "cpu"): Promise<Llama> {
  let mod: NodeLlamaCpp;
  try {
    mod = await importer();
  } catch (e) {
    throw new BlockedError(`llama.cpp: the npm package node-llama-cpp is not installed (${(e as Error).message.split("\n")[0]})`);
  }
  try {
    return await mod.getLlama({ gpu: device === "cuda" ? "cuda" : false, build: "never", logLevel: mod.LlamaLogLevel.error, progressLogs: false, skipDownload: true });
  } catch (e) {
    const binary = device === "cuda" ? "CUDA build (npm @node-llama-cpp/linux-x64-cuda, and an NVIDIA driver)" : "prebuilt binary";
    throw new BlockedError(`llama.cpp: node-llama-cpp found no usable ${binary} for ${process.platform}-${process.arch} (${(e as Error).message.split("\n")[0]})`);
  }
}

const llamas = new Map<LlamaDevice, Promise<Llama>>();

/** The process's one llama.cpp instance per device; a failure blocks every check on it (and is retried by a later call). */
export function loadLlama(device: LlamaDevice = "cpu"): Promise<Llama> {
  let pending = llamas.get(device);
  if (!pending) {
    pending = openLlama(undefined, device);
    llamas.set(device, pending);
    pending.catch(() => llamas.delete(device));
  }
  return pending;
}

export class LlamacppRuntime implements Runtime {
  readonly name = "llamacpp" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "perplexity", "benchmark"]);
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly vocabularies = new Map<string, Promise<LlamaModel>>(); // llama-vocab subjects, loaded vocabulary-only
  private readonly threads: number;

  constructor(private readonly options: LlamacppOptions = {}) {
    this.threads = options.threads ?? 1;
  }

  /** Any GGUF: a .gguf path as it is, or the claim's model exported at the claim's quant (the report names both). */
  serves(spec: SubjectSpec): string | null {
    const refusal = ggufRefusal(spec);
    return refusal === null ? null : `runtime llamacpp: ${refusal}`;
  }

  private load(spec: SubjectSpec): Promise<Loaded> {
    if (spec.inject) return Promise.reject(new BlockedError(`fault ${spec.inject}: faults are injected into the embedded engine only`));
    let path: string;
    try {
      path = llamaCppGgufFor(spec);
    } catch (e) {
      return Promise.reject(e);
    }
    const device: LlamaDevice = spec.backend === "cuda" ? "cuda" : "cpu";
    const key = `${device} ${path}`;
    let pending = this.loaded.get(key);
    if (!pending) {
      pending = this.open(path, device);
      this.loaded.set(key, pending);
      pending.catch(() => this.loaded.delete(key));
    }
    return pending;
  }

  private async open(path: string, device: LlamaDevice): Promise<Loaded> {
    const llama = await loadLlama(device);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: device === "cuda" ? "max" : 0 });
    } catch (e) {
      throw new BlockedError(`llama.cpp could not load ${path}: ${(e as Error).message.split("\n")[0]}`);
    }
    const contextSize = Math.min(model.trainContextSize, this.options.contextSize ?? 2048);
    const context = await model.createContext({
      contextSize,
      batchSize: contextSize,
      threads: { ideal: this.threads, min: this.threads },
      flashAttention: false,
      experimentalKvCacheKeyType: "F32",
      experimentalKvCacheValueType: "F32",
      sequences: 1,
    });
    const tokens = model.fileInfo.metadata?.tokenizer?.ggml?.tokens as unknown[] | undefined;
    const vocabSize = tokens?.length ?? 0;
    if (vocabSize <= 0) throw new BlockedError(`llama.cpp: ${path} has no tokenizer.ggml.tokens`);
    return { path, model, context, sequence: context.getSequence(), vocabSize };
  }

  private engineTokenizer(loaded: Loaded): Tokenizer {
    loaded.tokenizer ??= tokenizerFromJson(openSource(loaded.path).tokenizerJson);
    return loaded.tokenizer;
  }

  /** llama.cpp's own tokenization (no BOS; the text of a special token is that token, as Hugging Face reads it), for comparison with the engine's; a vocabulary file is loaded vocabulary-only. */
  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    if (isLlamaVocabulary(spec.model)) return (await this.vocabulary(spec)).tokenize(text, true).map(Number);
    const loaded = await this.load(spec);
    return loaded.model.tokenize(text, true).map(Number);
  }

  private vocabulary(spec: SubjectSpec): Promise<LlamaModel> {
    if (spec.inject) return Promise.reject(new BlockedError(`fault ${spec.inject}: faults are injected into the embedded engine only`));
    const path = modelLocation(spec);
    let pending = this.vocabularies.get(path);
    if (!pending) {
      pending = loadLlama().then((llama) => llama.loadModel({ modelPath: path, vocabOnly: true }));
      this.vocabularies.set(path, pending);
      pending.catch(() => this.vocabularies.delete(path));
    }
    return pending;
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    const loaded = await this.load(spec);
    const promptTokens = this.engineTokenizer(loaded).encodePrompt(prompt);
    const tokens = await this.greedy(loaded, promptTokens, maxNewTokens, true);
    // Top-k of each generated step from a second, scoring pass over the same tokens.
    const steps = tokens.length ? await this.forced(loaded, promptTokens, tokens, { topK: 10 }) : [];
    const stopped = tokens.length > 0 && loaded.model.isEogToken(tokens[tokens.length - 1] as Token);
    return { promptTokens, tokens, text: this.engineTokenizer(loaded).decode(tokens), topk: steps.map((s) => s.topk), finishReason: stopped ? "stop" : "length" };
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    const loaded = await this.load(spec);
    const promptTokens = this.engineTokenizer(loaded).encodePrompt(prompt);
    return { promptTokens, steps: await this.forced(loaded, promptTokens, tokens, options) };
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    const loaded = await this.load(spec);
    const ids = this.engineTokenizer(loaded).encode(text);
    if (window > loaded.context.contextSize) throw new BlockedError(`llama.cpp: window ${window} exceeds the context of ${loaded.context.contextSize}`);
    let nllSum = 0;
    let scored = 0;
    for (const w of perplexityWindows(ids.length, window, stride)) {
      await loaded.sequence.clearHistory();
      const input = ids.slice(w.begin, w.end - 1).map((t, i) => (w.begin + i + 1 >= w.firstTarget ? ([t, { generateNext: { logits: true } }] as const) : t));
      const out = await loaded.sequence.controlledEvaluate(input as never);
      for (let i = 0; i < input.length; i++) {
        const target = w.begin + i + 1;
        if (target < w.firstTarget) continue;
        const logits = logitsFromMap(out[i]!.next.logits!, loaded.vocabSize);
        nllSum -= logits[ids[target]] - logSumExp(logits);
        scored++;
      }
    }
    return { perplexity: Math.exp(nllSum / scored), tokensScored: scored, window, stride };
  }

  async benchmark(spec: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult> {
    const loaded = await this.load(spec);
    if (request.tokens + 1 > loaded.context.contextSize) throw new BlockedError(`llama.cpp: ${request.tokens} tokens exceed the context of ${loaded.context.contextSize}`);
    const ids = benchTokens(request.tokens, loaded.vocabSize);
    const once =
      request.kind === "pp"
        ? async () => {
            await loaded.sequence.clearHistory();
            await loaded.sequence.evaluateWithoutGeneratingNewTokens(ids as Token[]);
          }
        : async () => {
            await this.greedy(loaded, [ids[0]], request.tokens);
          };
    for (let i = 0; i < (request.warmup ?? 1); i++) await once();
    const samplesMs: number[] = [];
    for (let r = 0; r < request.reps; r++) {
      const started = performance.now();
      await once();
      samplesMs.push(performance.now() - started);
    }
    return { samplesMs, tokens: request.tokens, threads: this.threads, backend: "llama.cpp cpu (node-llama-cpp)" };
  }

  async timedGeneration(spec: SubjectSpec, request: TimedGenerationRequest): Promise<TimedGeneration> {
    const loaded = await this.load(spec);
    const timed = async () => {
      const started = performance.now();
      await this.greedy(loaded, this.engineTokenizer(loaded).encodePrompt(request.prompt), 1, true);
      const first = performance.now();
      const tokens = await this.greedy(loaded, this.engineTokenizer(loaded).encodePrompt(request.prompt), request.maxNewTokens, true);
      return { firstTokenMs: first - started, totalMs: performance.now() - first, tokens };
    };
    for (let i = 0; i < request.warmup; i++) await timed();
    const runs: Awaited<ReturnType<typeof timed>>[] = [];
    for (let r = 0; r < request.reps; r++) runs.push(await timed());
    return { firstTokenMs: runs.map((r) => r.firstTokenMs), samplesMs: runs.map((r) => r.totalMs), tokens: runs.map((r) => r.tokens), threads: this.threads, backend: "llama.cpp cpu (node-llama-cpp)" };
  }

  /** `count` greedy tokens after the prompt; with stopAtEog, fewer where llama.cpp's end-of-generation token ends them (it included), as llama.cpp's own tools stop. */
  private async greedy(loaded: Loaded, promptTokens: number[], count: number, stopAtEog = false): Promise<number[]> {
    await loaded.sequence.clearHistory();
    const tokens: number[] = [];
    if (count <= 0) return tokens;
    // yieldEogToken: evaluate otherwise ends at an end-of-generation token without yielding it.
    for await (const token of loaded.sequence.evaluate(promptTokens as Token[], { temperature: 0, yieldEogToken: true })) {
      tokens.push(Number(token));
      if (tokens.length >= count || (stopAtEog && loaded.model.isEogToken(token))) break;
    }
    return tokens;
  }

  private async forced(loaded: Loaded, promptTokens: number[], tokens: number[], options: ScoreOptions): Promise<Scoring["steps"]> {
    if (promptTokens.length === 0) throw new BlockedError("the prompt encodes to no tokens: nothing to condition on");
    if (tokens.length === 0) return [];
    await loaded.sequence.clearHistory();
    const fed = [...promptTokens, ...tokens.slice(0, -1)];
    const first = promptTokens.length - 1; // fed[first] predicts tokens[0]
    const input = fed.map((t, i) => (i >= first ? ([t, { generateNext: { logits: true } }] as const) : t));
    const out = await loaded.sequence.controlledEvaluate(input as never);
    return tokens.map((token, i) => {
      const map = out[first + i]?.next.logits;
      if (!map) throw new Error(`llama.cpp returned no logits at position ${first + i}`);
      return scoredStep(logitsFromMap(map, loaded.vocabSize), token, options.topK ?? 10, options.candidates?.[i]);
    });
  }

  /** What ran, for reports: llama.cpp's release and build. */
  async describe(): Promise<{ release: string; build: string; systemInfo: string }> {
    const llama = await loadLlama();
    return { release: llama.llamaCppRelease.release, build: llama.buildType, systemInfo: llama.systemInfo };
  }

  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const pending of all) {
      const loaded = await pending.catch(() => null);
      if (!loaded) continue;
      await loaded.context.dispose();
      await loaded.model.dispose();
    }
    const vocabularies = [...this.vocabularies.values()];
    this.vocabularies.clear();
    for (const pending of vocabularies) await (await pending.catch(() => null))?.dispose();
  }
}
