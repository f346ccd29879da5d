// One decoding session: the forward pass for T tokens at the next T positions, over a KV
// cache that grows by T positions per pass. Decoding passes one token; a prompt goes through
// in blocks of up to PREFILL_BLOCK tokens where the backend has batched products (matmul),
// each weight read once per block instead of once per token, with every value bit for bit
// what the token-by-token pass computes (same products, same per-token order of the rest).
// A prompt is declared as one forward call (beginCall) so that dynamic RoPE turns all of it
// as transformers' one pass over the prompt does.
// Shapes (T tokens): hidden state x: [T, hidden]; q: [T, heads * headDim]; k, v: [T, kvHeads *
// headDim]; cache per layer: [maxPositions, kvHeads * headDim]. Family differences (norm,
// positions, activation, gating, embedding scale) are read from the Architecture as data.

import type { RopeFrequencies } from "../backends/rope-frequencies.ts";
import { ropeFrequencies, type RopeScaling } from "../model/rope-scaling.ts";
import { RefuteError } from "../../core/errors.ts";
import type { Kernels } from "../backends/kernels.ts";
import { KV_WRAP_MIN, NO_HOOKS, type EngineHooks } from "../hooks.ts";
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

/** Prompt tokens per batched pass: the weights are read once per block (about 1-2 MB of activations per block for the zoo's shapes). */
export const PREFILL_BLOCK = 64;

/** The activations of one pass over up to `tokens` tokens, each [tokens, width]. */
interface Activations {
  tokens: number;
  x: Float32Array;
  normed: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  attnOut: Float32Array;
  proj: Float32Array;
  gate: Float32Array;
  up: Float32Array;
}

/** Rows [from, to) of a [rows, width] buffer: the buffer itself when that is all of it (a decoding step's buffers hold one row: no view made on each of its hundreds of kernel calls). */
const rowsOf = (a: Float32Array, from: number, to: number, width: number): Float32Array => (from === 0 && to * width === a.length ? a : a.subarray(from * width, to * width));
/** Row t of a [tokens, width] buffer. */
const row = (a: Float32Array, t: number, width: number): Float32Array => rowsOf(a, t, t + 1, width);

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
  /** one token's activations (decoding) */
  private readonly one: Activations;
  /** a prompt block's, allocated on the first batched prefill */
  private block: Activations | null = null;
  private readonly logits: Float32Array;
  /** [PREFILL_BLOCK, vocab]: a block's logits by one batched product, for calls that want several (perplexity, scoring) */
  private blockLogits: Float32Array | null = null;
  private readonly activation: (x: number) => number;
  // The backend's fused swiglu applies where the MLP is gated by silu.
  private readonly siluGated: boolean;
  // Hooks of the decode loop, read once here (0 and false on a clean run).
  private readonly queryPositionOffset: number;
  private readonly writesOneSlotBack: boolean;
  /** The kvPositionWrap hook, read when the first position at or past KV_WRAP_MIN is written (undefined: not yet read). */
  private kvWrap: number | null | undefined = undefined;
  private readonly hooks: EngineHooks;
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
    this.hooks = hooks;
    // Hooks are read only where they can act (the teeth run reruns what read a fault's
    // hooks clean): ignoring a rope_scaling the model does not have changes nothing.
    this.ropeScaling = model.arch.ropeScaling && !hooks.ropeScalingIgnored ? model.arch.ropeScaling : null;
    this.ropeFreqs = ropeFrequencies(model.arch.headDim, model.arch.ropeTheta, this.ropeScaling);
    const { kvHeads, headDim, vocabSize, layers } = model.arch;
    this.cache = kv ? new QuantizedKvCache(layers, capacity, kvHeads, headDim, kv, hooks) : new FloatKvCache(layers, capacity, kvHeads * headDim, (n) => this.allocate(n));
    this.one = this.activations(1);
    this.logits = this.allocate(vocabSize);
  }

  private activations(tokens: number): Activations {
    const { hidden, heads, kvHeads, headDim, intermediate } = this.model.arch;
    const n = (width: number) => this.allocate(tokens * width);
    return { tokens, x: n(hidden), normed: n(hidden), q: n(heads * headDim), k: n(kvHeads * headDim), v: n(kvHeads * headDim), attnOut: n(heads * headDim), proj: n(hidden), gate: n(intermediate), up: n(intermediate) };
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

  /**
   * Runs `tokens` as one forward call and returns the last one's logits (a buffer reused by the
   * next step): in blocks of PREFILL_BLOCK where the backend has batched products and nothing is
   * traced, else token by token (the same values either way).
   */
  prefill(tokens: readonly number[]): Float32Array {
    if (tokens.length === 0) throw new RefuteError("EMPTY_PROMPT", "the prompt encodes to no tokens", {});
    this.beginCall(tokens.length);
    this.forward(tokens, tokens.length - 1, () => {});
    return this.logits;
  }

  /**
   * Runs `tokens` at the next positions (within the current forward call) and hands the logits
   * after each token from index `logitsFrom` on to `onLogits` (a buffer reused by the next one):
   * in blocks of PREFILL_BLOCK where the backend has batched products and nothing is traced,
   * else token by token (the same values either way).
   */
  forward(tokens: readonly number[], logitsFrom: number, onLogits: (index: number, logits: Float32Array) => void): void {
    this.checkRoom(tokens.length);
    if (!this.kernels.matmul || this.tracer || tokens.length === 1) {
      tokens.forEach((token, i) => {
        const logits = this.step(token, i >= logitsFrom);
        if (logits) onLogits(i, logits);
      });
      return;
    }
    this.block ??= this.activations(PREFILL_BLOCK);
    for (let i = 0; i < tokens.length; i += PREFILL_BLOCK) {
      const block = tokens.slice(i, i + PREFILL_BLOCK);
      this.pass(block, this.block, Math.max(0, logitsFrom - i), (t) => onLogits(i + t, this.logits));
    }
  }

  /**
   * The KV ring's size at `position` (null: no ring). The kvPositionWrap hook is at least
   * KV_WRAP_MIN and a ring of n changes nothing before position n, so it is read only once a
   * position reaches KV_WRAP_MIN: a session that never gets there computes what it computes clean.
   */
  private kvWrapAt(position: number): number | null {
    if (this.kvWrap !== undefined) return this.kvWrap;
    if (position < KV_WRAP_MIN) return null;
    const wrap = this.hooks.kvPositionWrap ?? null;
    if (wrap !== null && !(Number.isInteger(wrap) && wrap >= KV_WRAP_MIN)) {
      throw new RefuteError("BAD_HOOK", `kvPositionWrap must be an integer of at least ${KV_WRAP_MIN}, found ${wrap}`, { hook: "kvPositionWrap", found: wrap });
    }
    this.kvWrap = wrap;
    return wrap;
  }

  /** Refuses `count` more positions past the capacity, before any of them runs. */
  private checkRoom(count: number): void {
    const last = this.position + count - 1;
    if (last >= this.capacity) throw new RefuteError("CONTEXT_FULL", `position ${last} is past the context of ${this.capacity} positions`, { position: last });
  }

  /** The frequencies of the call that `position` belongs to: fixed, but for dynamic scaling, whose base grows with the call's length. */
  private frequencies(position: number): RopeFrequencies {
    if (this.ropeScaling?.type !== "dynamic") return this.ropeFreqs;
    const callLength = Math.max(this.callEnd, position + 1);
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
    this.pass([token], this.one, wantLogits || this.tracer !== null ? 0 : 1, () => {});
    return wantLogits ? this.logits : null;
  }

  /**
   * The forward pass of `tokens` at the next positions in `acts`; the logits after each token
   * from index `logitsFrom` on go into this.logits, and `onLogits` sees each.
   */
  private pass(tokens: readonly number[], acts: Activations, logitsFrom: number, onLogits: (t: number) => void): void {
    const { arch, weights } = this.model;
    const { hidden } = arch;
    const T = tokens.length;
    this.checkRoom(T);
    for (let t = 0; t < T; t++) {
      const x = row(acts.x, t, hidden);
      this.kernels.embeddingRow(weights.tokenEmbedding, tokens[t], x);
      if (arch.embeddingScale !== 1) for (let i = 0; i < hidden; i++) x[i] *= arch.embeddingScale;
      if (weights.positionEmbedding) {
        const p = row(weights.positionEmbedding, this.position + t, hidden);
        for (let i = 0; i < hidden; i++) x[i] += p[i];
      }
    }
    this.tracer?.("embedding", row(acts.x, 0, hidden));
    // The last layer's output is read only at the tokens whose logits are wanted; the others
    // need their keys and values there and nothing more (as llama.cpp's output ids skip them).
    const lastFrom = this.tracer ? 0 : Math.min(logitsFrom, T);
    for (let l = 0; l < arch.layers; l++) this.layer(l, weights.layers[l], acts, T, l === arch.layers - 1 ? lastFrom : 0);
    this.position += T;
    if (T - logitsFrom > 1 && this.kernels.matmul && !this.tracer) {
      this.blockOutput(acts, logitsFrom, T, onLogits);
      return;
    }
    for (let t = logitsFrom; t < T; t++) {
      const normed = row(acts.normed, t, hidden);
      this.norm(weights.outputNorm, row(acts.x, t, hidden), normed);
      this.kernels.matvec(weights.output, normed, this.logits, null);
      this.tracer?.("output_norm", normed);
      this.tracer?.("logits", this.logits);
      onLogits(t);
    }
  }

  /**
   * The logits of tokens [from, T) of a block by one batched product of the output matrix
   * (each row bit for bit what matvec gives it), handed on one by one through this.logits.
   */
  private blockOutput(acts: Activations, from: number, T: number, onLogits: (t: number) => void): void {
    const { arch, weights } = this.model;
    const { hidden, vocabSize } = arch;
    for (let t = from; t < T; t++) this.norm(weights.outputNorm, row(acts.x, t, hidden), row(acts.normed, t, hidden));
    this.blockLogits ??= this.allocate(PREFILL_BLOCK * vocabSize);
    const n = T - from;
    this.kernels.matmul?.(weights.output, acts.normed.subarray(from * hidden, T * hidden), this.blockLogits.subarray(0, n * vocabSize), n, null);
    for (let t = from; t < T; t++) {
      this.logits.set(row(this.blockLogits, t - from, vocabSize));
      onLogits(t);
    }
  }

  private norm(n: Norm, x: Float32Array, out: Float32Array): void {
    const { arch } = this.model;
    if (arch.norm === "rms") this.kernels.rmsNorm(x, n.weight, arch.normEps, out);
    else this.kernels.layerNorm(x, n.weight, n.bias as Float32Array, arch.normEps, out);
  }

  /** The norm of tokens [from, T) of x into the same rows of out (both [T, hidden]): in one call where the backend batches RMSNorm. */
  private norms(n: Norm, x: Float32Array, out: Float32Array, T: number, from = 0): void {
    const { arch } = this.model;
    const { hidden } = arch;
    if (arch.norm === "rms" && T - from > 1 && this.kernels.rmsNormTokens) {
      this.kernels.rmsNormTokens(rowsOf(x, from, T, hidden), n.weight, arch.normEps, rowsOf(out, from, T, hidden), T - from);
      return;
    }
    for (let t = from; t < T; t++) this.norm(n, row(x, t, hidden), row(out, t, hidden));
  }

  /**
   * The products of linears with the inputs of tokens [from, T) of x: [T, cols] into the same
   * rows of outs [T, rows]: one token's in one call where the backend can fuse them, several
   * tokens' by batched products (each row bit for bit the one-token product).
   */
  private products(linears: Linear[], x: Float32Array, outs: Float32Array[], T: number, from = 0): void {
    const kern = this.kernels;
    const n = T - from;
    if (n === 0) return;
    if (n > 1 && kern.matmuls && linears.length > 1) {
      const cols = linears[0].weight.cols;
      kern.matmuls(linears.map((l) => l.weight), x.subarray(from * cols, T * cols), outs.map((o, i) => o.subarray(from * linears[i].weight.rows, T * linears[i].weight.rows)), n, linears.map((l) => l.bias));
      return;
    }
    if (n > 1 && kern.matmul) {
      linears.forEach((l, i) => kern.matmul?.(l.weight, x.subarray(from * l.weight.cols, T * l.weight.cols), outs[i].subarray(from * l.weight.rows, T * l.weight.rows), n, l.bias));
      return;
    }
    const ins = rowsOf(x, from, T, linears[0].weight.cols);
    const ones = outs.map((o, i) => rowsOf(o, from, T, linears[i].weight.rows));
    if (kern.matvecs && linears.length > 1) kern.matvecs(linears.map((l) => l.weight), ins, ones, linears.map((l) => l.bias));
    else linears.forEach((l, i) => kern.matvec(l.weight, ins, ones[i], l.bias));
  }

  /** x += y over the hidden states of tokens [from, T). */
  private addResidual(x: Float32Array, y: Float32Array, T: number, from: number): void {
    const { hidden } = this.model.arch;
    if (this.kernels.addInPlace) this.kernels.addInPlace(rowsOf(x, from, T, hidden), rowsOf(y, from, T, hidden));
    else for (let i = from * hidden; i < T * hidden; i++) x[i] += y[i];
  }

  /**
   * Layer l over T tokens: every token's keys and values go into the cache, and the hidden
   * states of tokens [from, T) move on (the rest are left as they were: only the last layer is
   * asked for fewer, where no later layer reads them).
   */
  private layer(l: number, w: LayerWeights, acts: Activations, T: number, from: number): void {
    const { arch } = this.model;
    const kern = this.kernels;
    const { heads, kvHeads, headDim, hidden, intermediate } = arch;
    const qWidth = heads * headDim;
    const kvWidth = kvHeads * headDim;
    const { x, normed, q, k, v, attnOut, proj, gate, up } = acts;

    const trace = this.tracer;
    this.norms(w.attnNorm, x, normed, T);
    trace?.(`blk.${l}.attn_norm`, row(normed, 0, hidden));
    if (from === 0) this.products([w.q, w.k, w.v], normed, [q, k, v], T);
    else {
      this.products([w.k, w.v], normed, [k, v], T);
      this.products([w.q], normed, [q], T, from);
    }
    if (trace) for (const [name, values, width] of [["q", q, qWidth], ["k", k, kvWidth], ["v", v, kvWidth]] as const) trace(`blk.${l}.${name}`, row(values, 0, width));
    // token by token, in order: each writes its cache slot, then attends over the cache so far;
    // where every slot is its own position (no fault hook moves one), the writes go first and
    // the attending tokens attend as one batch, each over its own prefix: the same values
    const batched = kern.attentionTokens !== undefined && T - from > 1 && !this.writesOneSlotBack && this.kvWrapAt(this.position + T - 1) === null;
    for (let t = 0; t < T; t++) {
      const position = this.position + t;
      const qt = row(q, t, qWidth);
      const kt = row(k, t, kvWidth);
      const attends = t >= from;
      if (arch.position === "rope") {
        const freqs = this.frequencies(position);
        if (attends) kern.rope(qt, heads, headDim, position + this.queryPositionOffset, freqs);
        kern.rope(kt, kvHeads, headDim, position, freqs);
      }
      const wrap = this.kvWrapAt(position);
      const slot = this.writesOneSlotBack ? Math.max(0, position - 1) : wrap ? position % wrap : position;
      this.cache.write(l, slot, kt, row(v, t, kvWidth));
      const length = wrap ? Math.min(position + 1, wrap) : position + 1;
      if (attends && !batched) kern.attention(qt, this.cache.keys(l, length), this.cache.values(l, length), length, { heads, kvHeads, headDim }, row(attnOut, t, qWidth));
    }
    if (batched) {
      const first = this.position + from + 1;
      const last = this.position + T;
      kern.attentionTokens?.(q.subarray(from * qWidth, T * qWidth), this.cache.keys(l, last), this.cache.values(l, last), first, T - from, { heads, kvHeads, headDim }, attnOut.subarray(from * qWidth, T * qWidth));
    }
    this.products([w.o], attnOut, [proj], T, from);
    trace?.(`blk.${l}.attn_output`, row(proj, 0, hidden));
    this.addResidual(x, proj, T, from);
    trace?.(`blk.${l}.attn_residual`, row(x, 0, hidden));

    this.norms(w.ffnNorm, x, normed, T, from);
    trace?.(`blk.${l}.ffn_norm`, row(normed, 0, hidden));
    const act = this.activation;
    // up: [T, intermediate], of which rows [from, T) are computed
    const first = from * intermediate;
    const end = T * intermediate;
    if (arch.gatedMlp) {
      // up = act(gate x) * (up x); the contract gave a gated model its gate.
      this.products([w.up, w.gate as Linear], normed, [up, gate], T, from);
      if (this.siluGated && kern.swiglu) kern.swiglu(gate.subarray(first, end), up.subarray(first, end));
      else for (let i = first; i < end; i++) up[i] *= act(gate[i]);
    } else {
      this.products([w.up], normed, [up], T, from);
      for (let i = first; i < end; i++) up[i] = act(up[i]);
    }
    this.products([w.down], up, [proj], T, from);
    trace?.(`blk.${l}.mlp_output`, row(proj, 0, hidden));
    this.addResidual(x, proj, T, from);
    trace?.(`blk.${l}.residual`, row(x, 0, hidden));
  }
}
