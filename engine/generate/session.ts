// One decoding session: the forward pass for a single token at the next position, over a
// KV cache that grows by one position per step. Prefill is the same step over the prompt,
// declared as one forward call (beginCall) so that dynamic RoPE turns all of it as
// transformers' one pass over the prompt does.
// Shapes: hidden state x: [hidden]; q: [heads * headDim]; k, v: [kvHeads * headDim];
// cache per layer: [maxPositions, kvHeads * headDim]. Family differences (norm, positions,
// activation, gating, embedding scale) are read from the Architecture as data.

import type { RopeFrequencies } from "../backends/rope-frequencies.ts";
import { ropeFrequencies, type RopeScaling } from "../model/rope-scaling.ts";
import { RefuteError } from "../../core/errors.ts";
import type { Kernels } from "../backends/kernels.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { FloatKvCache, QuantizedKvCache, type KvCache } from "../kv/cache.ts";
import type { KvQuantOptions } from "../kv/quantize.ts";
import type { Architecture } from "../model/architecture.ts";
import type { LayerWeights, Linear, ModelWeights, Norm } from "../model/weights.ts";
import { ACTIVATIONS } from "./activation.ts";
import type { Tracer } from "./trace.ts";

export interface LoadedModel {
  arch: Architecture;
  weights: ModelWeights;
}

/** The rope kernels rotate whole heads: an architecture that rotates fewer dims cannot run here. */
function checkRotaryDims(arch: Architecture): void {
  if (arch.position === "rope" && arch.rotaryDims !== arch.headDim) {
    throw new RefuteError("UNSUPPORTED_ARCHITECTURE", `${arch.family}: RoPE over ${arch.rotaryDims} of ${arch.headDim} dims per head; the rope kernels rotate whole heads`, {
      family: arch.family,
      rotaryDims: arch.rotaryDims,
      headDim: arch.headDim,
    });
  }
}

export class Session {
  private position = 0;
  private readonly owned: Float32Array[] = [];
  /** Keys and values of every layer and position so far: float32, or quantized when `kv` is given. */
  readonly cache: KvCache;
  private readonly x: Float32Array;
  private readonly normed: Float32Array;
  private readonly q: Float32Array;
  private readonly k: Float32Array;
  private readonly v: Float32Array;
  private readonly attnOut: Float32Array;
  private readonly proj: Float32Array;
  private readonly gate: Float32Array;
  private readonly up: Float32Array;
  private readonly logits: Float32Array;
  private readonly activation: (x: number) => number;
  // The backend's fused swiglu applies where the MLP is gated by silu.
  private readonly siluGated: boolean;
  // Hooks of the decode loop, read once here (0 and false on a clean run).
  private readonly queryPositionOffset: number;
  private readonly writesOneSlotBack: boolean;
  private readonly kvWrap: number | null;
  /** The scaling RoPE runs with (null under the rope-scaling-ignored hook). */
  private readonly ropeScaling: RopeScaling | null;
  /** The frequencies of the current forward call, and the call length they are for. */
  private ropeFreqs: RopeFrequencies;
  private ropeCallLength = 0;
  /** Where the current forward call ends (exclusive); 0: every step is a call of its own. */
  private callEnd = 0;
  /** Where each step's activations go (engine/generate/trace.ts); none: nothing is recorded. */
  private tracer: Tracer | null = null;

  constructor(
    private readonly model: LoadedModel,
    private readonly kernels: Kernels,
    readonly capacity = model.arch.maxPositions,
    hooks: EngineHooks = NO_HOOKS,
    kv: KvQuantOptions | null = null,
  ) {
    checkRotaryDims(model.arch);
    this.activation = hooks.activation ? hooks.activation(model.arch.activation) : ACTIVATIONS[model.arch.activation];
    this.siluGated = model.arch.gatedMlp && model.arch.activation === "silu" && !hooks.activation;
    this.queryPositionOffset = hooks.ropePositionOffset ?? 0;
    this.writesOneSlotBack = hooks.writesOneSlotBack === true;
    this.kvWrap = hooks.kvPositionWrap ?? null;
    this.ropeScaling = hooks.ropeScalingIgnored ? null : model.arch.ropeScaling;
    this.ropeFreqs = ropeFrequencies(model.arch.headDim, model.arch.ropeTheta, this.ropeScaling);
    const { hidden, heads, kvHeads, headDim, intermediate, vocabSize, layers } = model.arch;
    const kvWidth = kvHeads * headDim;
    this.cache = kv ? new QuantizedKvCache(layers, capacity, kvHeads, headDim, kv, hooks) : new FloatKvCache(layers, capacity, kvWidth, (n) => this.allocate(n));
    this.x = this.allocate(hidden);
    this.normed = this.allocate(hidden);
    this.q = this.allocate(heads * headDim);
    this.k = this.allocate(kvWidth);
    this.v = this.allocate(kvWidth);
    this.attnOut = this.allocate(heads * headDim);
    this.proj = this.allocate(hidden);
    this.gate = this.allocate(intermediate);
    this.up = this.allocate(intermediate);
    this.logits = this.allocate(vocabSize);
  }

  /**
   * Buffers come from the backend when it computes in its own memory (cpu-wasm), so kernels
   * read and write them in place; dispose() gives them back.
   */
  private allocate(length: number): Float32Array {
    const buffer = this.kernels.allocate?.(length) ?? new Float32Array(length);
    this.owned.push(buffer);
    return buffer;
  }

  /** Returns the session's buffers to the backend; the session must not be used afterwards. */
  dispose(): void {
    for (const buffer of this.owned.splice(0)) this.kernels.release?.(buffer);
  }

  get length(): number {
    return this.position;
  }

  /** Records every following step's activations into `tracer` (null: stop). */
  traceInto(tracer: Tracer | null): void {
    this.tracer = tracer;
  }

  /** Forgets every cached position (the next token is at position 0 again), as a freshly loaded model. */
  reset(): void {
    this.position = 0;
    this.callEnd = 0;
  }

  /**
   * Declares the next `length` steps one forward call (a prompt, a perplexity window). Only
   * dynamic RoPE reads it: every position of a call turns by the frequencies of the call's end.
   */
  beginCall(length: number): void {
    this.callEnd = this.position + length;
  }

  /** Runs `tokens` as one forward call and returns the last one's logits (a buffer reused by the next step). */
  prefill(tokens: readonly number[]): Float32Array {
    if (tokens.length === 0) throw new RefuteError("EMPTY_PROMPT", "the prompt encodes to no tokens", {});
    this.beginCall(tokens.length);
    for (let i = 0; i < tokens.length - 1; i++) this.step(tokens[i], false);
    return this.step(tokens[tokens.length - 1]) as Float32Array;
  }

  /** The frequencies of this step's call: fixed, but for dynamic scaling, whose base grows with the call's length. */
  private frequencies(): RopeFrequencies {
    if (this.ropeScaling?.type !== "dynamic") return this.ropeFreqs;
    const callLength = Math.max(this.callEnd, this.position + 1);
    if (callLength !== this.ropeCallLength) {
      this.ropeFreqs = ropeFrequencies(this.model.arch.headDim, this.model.arch.ropeTheta, this.ropeScaling, callLength);
      this.ropeCallLength = callLength;
    }
    return this.ropeFreqs;
  }

  /**
   * Runs one token at the next position. Returns the logits [vocab] (a buffer reused by the
   * next call) when wanted, else null (prefill of all but the last prompt token).
   */
  step(token: number, wantLogits = true): Float32Array | null {
    const { arch, weights } = this.model;
    if (this.position >= this.capacity) {
      throw new RefuteError("CONTEXT_FULL", `position ${this.position} is past the context of ${this.capacity} positions`, { position: this.position });
    }
    this.kernels.embeddingRow(weights.tokenEmbedding, token, this.x);
    if (arch.embeddingScale !== 1) for (let i = 0; i < arch.hidden; i++) this.x[i] *= arch.embeddingScale;
    if (weights.positionEmbedding) {
      const row = weights.positionEmbedding.subarray(this.position * arch.hidden, (this.position + 1) * arch.hidden);
      for (let i = 0; i < arch.hidden; i++) this.x[i] += row[i];
    }
    this.tracer?.("embedding", this.x);
    for (let l = 0; l < arch.layers; l++) this.layer(l, weights.layers[l]);
    this.position++;
    if (!wantLogits && !this.tracer) return null;
    this.norm(weights.outputNorm, this.x, this.normed);
    this.kernels.matvec(weights.output, this.normed, this.logits, null);
    this.tracer?.("output_norm", this.normed);
    this.tracer?.("logits", this.logits);
    return wantLogits ? this.logits : null;
  }

  private norm(n: Norm, x: Float32Array, out: Float32Array): void {
    const { arch } = this.model;
    if (arch.norm === "rms") this.kernels.rmsNorm(x, n.weight, arch.normEps, out);
    else this.kernels.layerNorm(x, n.weight, n.bias as Float32Array, arch.normEps, out);
  }

  /** Products of one input: in one call where the backend can fuse them. */
  private products(linears: Linear[], x: Float32Array, outs: Float32Array[]): void {
    const kern = this.kernels;
    if (kern.matvecs) kern.matvecs(linears.map((l) => l.weight), x, outs, linears.map((l) => l.bias));
    else linears.forEach((l, i) => kern.matvec(l.weight, x, outs[i], l.bias));
  }

  private layer(l: number, w: LayerWeights): void {
    const { arch } = this.model;
    const kern = this.kernels;
    const { heads, kvHeads, headDim } = arch;

    const trace = this.tracer;
    this.norm(w.attnNorm, this.x, this.normed);
    trace?.(`blk.${l}.attn_norm`, this.normed);
    this.products([w.q, w.k, w.v], this.normed, [this.q, this.k, this.v]);
    if (trace) for (const [name, values] of [["q", this.q], ["k", this.k], ["v", this.v]] as const) trace(`blk.${l}.${name}`, values);
    if (arch.position === "rope") {
      const freqs = this.frequencies();
      kern.rope(this.q, heads, headDim, this.position + this.queryPositionOffset, freqs);
      kern.rope(this.k, kvHeads, headDim, this.position, freqs);
    }
    const slot = this.writesOneSlotBack ? Math.max(0, this.position - 1) : this.kvWrap ? this.position % this.kvWrap : this.position;
    this.cache.write(l, slot, this.k, this.v);
    const length = this.kvWrap ? Math.min(this.position + 1, this.kvWrap) : this.position + 1;
    kern.attention(this.q, this.cache.keys(l, length), this.cache.values(l, length), length, { heads, kvHeads, headDim }, this.attnOut);
    kern.matvec(w.o.weight, this.attnOut, this.proj, w.o.bias);
    trace?.(`blk.${l}.attn_output`, this.proj);
    for (let i = 0; i < arch.hidden; i++) this.x[i] += this.proj[i];
    trace?.(`blk.${l}.attn_residual`, this.x);

    this.norm(w.ffnNorm, this.x, this.normed);
    trace?.(`blk.${l}.ffn_norm`, this.normed);
    const act = this.activation;
    if (arch.gatedMlp) {
      // up: [intermediate] = act(gate x) * (up x); the contract gave a gated model its gate.
      this.products([w.up, w.gate as Linear], this.normed, [this.up, this.gate]);
      if (this.siluGated && kern.swiglu) kern.swiglu(this.gate, this.up);
      else for (let i = 0; i < this.up.length; i++) this.up[i] *= act(this.gate[i]);
    } else {
      kern.matvec(w.up.weight, this.normed, this.up, w.up.bias);
      for (let i = 0; i < this.up.length; i++) this.up[i] = act(this.up[i]);
    }
    kern.matvec(w.down.weight, this.up, this.proj, w.down.bias);
    trace?.(`blk.${l}.mlp_output`, this.proj);
    for (let i = 0; i < arch.hidden; i++) this.x[i] += this.proj[i];
    trace?.(`blk.${l}.residual`, this.x);
  }
}
