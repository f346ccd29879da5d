// The kernel interface every backend implements. The model code calls only these, so a
// faster CPU backend or the CUDA backend replaces the reference without touching it.
// Shapes: x: [cols], w: [rows, cols] row-major, out: [rows]; a head-major vector holds
// `heads` consecutive slices of `headDim` values.

import type { RopeFrequencies } from "./rope-frequencies.ts";
import type { Matrix } from "../model/weights.ts";

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

export interface Kernels {
  readonly name: string;
  /** out[r] = sum_c w[r, c] * x[c] (+ bias[r]). */
  matvec(w: Matrix, x: Float32Array, out: Float32Array, bias: Float32Array | null): void;
  /** out = row `row` of w as float32. */
  embeddingRow(w: Matrix, row: number, out: Float32Array): void;
  /** out = x / sqrt(mean(x^2) + eps) * weight. */
  rmsNorm(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array): void;
  /** out = (x - mean) / sqrt(var + eps) * weight + bias (biased variance). */
  layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number, out: Float32Array): void;
  /** Rotates each head of x in place at `position`, split-halves pairing (i, i + headDim/2), by `freqs` (rope-frequencies.ts). */
  rope(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void;
  /**
   * Causal attention of one query over the first `length` cached positions.
   * q: [heads * headDim]; keys, values: [length, kvHeads * headDim]; out: [heads * headDim].
   */
  attention(q: Float32Array, keys: Float32Array, values: Float32Array, length: number, shape: AttentionShape, out: Float32Array): void;
  /**
   * Causal attention of `tokens` consecutive queries (a prompt's, once the cache holds all of
   * their positions): token t over the first firstLength + t positions, each bit for bit what
   * attention computes for that query alone; a backend with threads runs them as one task.
   * q, out: [tokens, heads * headDim]; keys, values: [firstLength + tokens - 1, kvHeads * headDim].
   * Optional; a kernel wrapper that changes attention drops it (faulty.ts).
   */
  attentionTokens?(q: Float32Array, keys: Float32Array, values: Float32Array, firstLength: number, tokens: number, shape: AttentionShape, out: Float32Array): void;
  /** In place over the first n values, max-subtracted. */
  softmax(x: Float32Array, n: number): void;
  /** Index of the largest value; the first one on ties (as torch.argmax). */
  argmax(x: Float32Array): number;

  // Optional, for backends that compute in their own memory (cpu-wasm). Callers that skip
  // them still get correct results, only with a copy per call.
  /** A zeroed float32 buffer the backend reads and writes in place; activations and the KV cache should come from here. */
  allocate?(length: number): Float32Array;
  /**
   * Zeroed bytes in the backend's memory, never reused: a model file read into them has its
   * weights where the kernels read them, and prepare() keeps such a weight in place.
   */
  allocateBytes?(bytes: number): Uint8Array;
  /**
   * Several products of the same input (q, k and v; gate and up), each exactly as matvec
   * computes it; a backend with threads runs them as one task.
   */
  matvecs?(ws: Matrix[], x: Float32Array, outs: Float32Array[], biases: (Float32Array | null)[]): void;
  /**
   * The products of `tokens` inputs with one weight (a prompt's tokens): x: [tokens, cols],
   * out: [tokens, rows] (+ bias per token), each row of out bit for bit what matvec computes
   * for that input alone; a backend with it reads each weight once per block of tokens, not
   * once per token. A kernel wrapper that changes matvec drops it (faulty.ts).
   */
  matmul?(w: Matrix, x: Float32Array, out: Float32Array, tokens: number, bias: Float32Array | null): void;
  /**
   * matmul of several weights with the same inputs (q, k and v; gate and up), each exactly as
   * matmul computes it; a backend that quantizes the inputs does so once for all of them.
   */
  matmuls?(ws: Matrix[], x: Float32Array, outs: Float32Array[], tokens: number, biases: (Float32Array | null)[]): void;
  /**
   * SwiGLU's gating in place: up[i] *= silu(gate[i]) = gate[i] / (1 + e^-gate[i]), to float32
   * rounding of the float64 formula (a backend without it: the session's loop computes that).
   */
  swiglu?(gate: Float32Array, up: Float32Array): void;
  /**
   * rmsNorm of `tokens` consecutive rows (x, out: [tokens, weight.length]), each row bit for
   * bit what rmsNorm computes for it alone. Optional; a kernel wrapper that changes rmsNorm
   * drops it (faulty.ts).
   */
  rmsNormTokens?(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array, tokens: number): void;
  /** x[i] += y[i] over x (the residual stream), each sum rounded to float32 (a backend without it: the session's loop). */
  addInPlace?(x: Float32Array, y: Float32Array): void;
  /** Gives an allocate() buffer back for reuse; the caller no longer touches it. */
  release?(buffer: Float32Array): void;
  /**
   * Moves a weight matrix into the backend's memory now rather than on its first product, and
   * returns it as the backend holds it: a caller that keeps only the returned matrix (and drops
   * the loader's bytes) holds the weight once.
   */
  prepare?(w: Matrix): Matrix;
  /** Stops the backend's threads; it keeps working single-threaded afterwards. */
  close?(): Promise<void>;
}
