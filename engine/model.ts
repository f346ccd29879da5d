// A loaded model ready to run: architecture, weights arranged for the forward pass, the
// tokenizer, and a kernel backend. This is what runtimes and the CLI use.

import { type ChatMessage, type ChatTemplate, renderChat } from "./tokenizer/chat-template.ts";
import type { Kernels } from "./backends/kernels.ts";
import { cpuKernels } from "./backends/cpu/kernels.ts";
import { enforceContract } from "./contract-gate.ts";
import { greedy } from "./generate/greedy.ts";
import { hookedKernels, NO_HOOKS, type EngineHooks } from "./hooks.ts";
import type { TokenLogprob } from "./generate/logprobs.ts";
import { perplexity, type PerplexityResult } from "./generate/perplexity.ts";
import { TraceRecorder, type TracedTensor, tracePoints } from "./generate/trace.ts";
import { Session } from "./generate/session.ts";
import { checkKvOptions, type KvQuantOptions } from "./kv/quantize.ts";
import type { ModelSource } from "./load.ts";
import type { Architecture } from "./model/architecture.ts";
import { buildWeights, type ModelWeights } from "./model/weights.ts";
import { StreamingDecoder } from "./tokenizer/streaming-decoder.ts";
import { tokenizerFromJson, type Tokenizer } from "./tokenizer/tokenizer.ts";

export interface GenerateResult {
  promptTokens: number[];
  tokens: number[]; // the end token included where one stopped it
  text: string; // the streamed deltas, concatenated (tokenizer/streaming-decoder.ts)
  topk: TokenLogprob[][];
  finishReason: "stop" | "length";
}

export interface EngineOptions {
  /** Quantize the KV cache of every session (engine/kv/quantize.ts); absent or null: float32. */
  kv?: KvQuantOptions | null;
  /** Load a model that breaks its contract (engine/contract-gate.ts) anyway: --skip-contract. */
  skipContract?: boolean;
}

export class EngineModel {
  readonly arch: Architecture;
  /** Parameters of the source model (tensor elements, a tied head counted once). */
  readonly parameters: number;
  readonly weights: ModelWeights;
  readonly tokenizer: Tokenizer;
  readonly kernels: Kernels;
  readonly kv: KvQuantOptions | null;
  /** The chat template the model came with; null: none. */
  readonly chatTemplate: ChatTemplate | null;
  /**
   * The tokens that end a generation (model/end-tokens.ts); none under the eosIgnored hook,
   * which is read only when one of them comes (ignoring an end token that never comes changes
   * nothing, and the teeth run reruns only what read a fault's hooks clean).
   */
  readonly endTokens: Pick<ReadonlySet<number>, "has">;

  // The source itself is not kept: where the backend holds weights in its own memory
  // (prepare), the loader's bytes become garbage and each weight exists once.
  constructor(
    source: ModelSource,
    kernels: Kernels = cpuKernels,
    readonly hooks: EngineHooks = NO_HOOKS,
    options: EngineOptions = {},
  ) {
    if (!options.skipContract) enforceContract(source);
    this.arch = source.arch;
    this.parameters = [...source.tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    // Vectors (norms, biases) are small; copied, they stop pinning the loader's file buffer,
    // of which f32 tensors are views.
    const prepare = kernels.prepare?.bind(kernels);
    this.weights = buildWeights(source.arch, source.tensors, prepare ? { matrix: prepare, vector: (v) => v.slice() } : undefined);
    this.tokenizer = tokenizerFromJson(source.tokenizerJson, hooks);
    this.chatTemplate = source.chatTemplate;
    const ends = new Set(source.endTokenIds);
    this.endTokens = { has: (token) => ends.has(token) && hooks.eosIgnored !== true };
    this.kernels = hookedKernels(kernels, hooks);
    this.kv = options.kv ?? null;
    if (this.kv) checkKvOptions(this.kv, this.arch.headDim);
  }

  /** A fresh session; `kv` overrides the model's KV-cache option for this one (null: float32). */
  session(capacity?: number, kv: KvQuantOptions | null = this.kv): Session {
    return new Session({ arch: this.arch, weights: this.weights }, this.kernels, capacity, this.hooks, kv);
  }

  /** A conversation as the model's own chat template renders it (with the generation prompt where asked); null: the model has no template. */
  renderChat(messages: ChatMessage[], addGenerationPrompt: boolean): string | null {
    const chat = this.chatTemplate;
    if (!chat) return null;
    return renderChat(chat.template, messages, { addGenerationPrompt: addGenerationPrompt && !this.hooks.chatNoGenerationPrompt, bosToken: chat.bosToken, eosToken: chat.eosToken });
  }

  /** The prompt's token ids as the model is fed them: with the special tokens its tokenizer puts around a text (a SentencePiece llama's BOS; none for the zoo, as the oracle). */
  encodePrompt(prompt: string): number[] {
    const ids = this.tokenizer.encodePrompt(prompt);
    return this.arch.bosTokenId !== null && this.hooks.prependBos === true ? [this.arch.bosTokenId, ...ids] : ids;
  }

  /** A streaming detokenizer for this model's generated tokens (per token under the detokenizePerToken hook). */
  streamingDecoder(): StreamingDecoder {
    return new StreamingDecoder(this.tokenizer, () => this.hooks.detokenizePerToken === true);
  }

  /** Greedy until an end token or maxNewTokens. kv: this generation's KV-cache option (default the model's; null: float32). */
  generateTokens(promptTokens: number[], maxNewTokens: number, topK = 10, kv: KvQuantOptions | null = this.kv): GenerateResult {
    if (kv) checkKvOptions(kv, this.arch.headDim);
    const session = this.session(Math.min(this.arch.maxPositions, promptTokens.length + maxNewTokens), kv);
    try {
      const { tokens, topk, finishReason } = greedy(session, this.kernels, promptTokens, { maxNewTokens, topK, stopTokens: this.endTokens });
      const decoder = this.streamingDecoder();
      for (const id of tokens) decoder.push(id);
      decoder.flush();
      return { promptTokens, tokens, text: decoder.text, topk, finishReason };
    } finally {
      session.dispose();
    }
  }

  /** The activations at every trace point for every position of `tokens` (engine/generate/trace.ts), in forward order. */
  trace(tokens: number[]): TracedTensor[] {
    const session = this.session(Math.min(this.arch.maxPositions, tokens.length), null);
    const recorder = new TraceRecorder();
    session.traceInto(recorder.tracer);
    try {
      session.beginCall(tokens.length);
      for (const token of tokens) session.step(token, false);
      return recorder.tensors(tracePoints(this.arch.layers));
    } finally {
      session.dispose();
    }
  }

  generate(prompt: string, maxNewTokens: number, topK = 10, kv: KvQuantOptions | null = this.kv): GenerateResult {
    return this.generateTokens(this.encodePrompt(prompt), maxNewTokens, topK, kv);
  }

  perplexity(text: string, window: number, stride: number, onWindow?: (done: number, total: number) => void, kv: KvQuantOptions | null = this.kv): PerplexityResult {
    if (kv) checkKvOptions(kv, this.arch.headDim);
    const session = this.session(window, kv);
    try {
      return perplexity(session, this.tokenizer.encode(text), window, stride, onWindow);
    } finally {
      session.dispose();
    }
  }
}
