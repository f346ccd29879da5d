// The cpu-wasm backend: the kernel interface on WebAssembly SIMD (kernels.wat) over one shared
// WebAssembly.Memory, with matrix products (and attention heads) split across worker threads;
// products of one input (q, k, v; gate, up) go to the threads as one task (matvecs).
// Quantized products quantize the activation exactly as llama.cpp does (Q8_0 / Q8_K), so their
// integer dots are exact; Q8_0 and Q4_0 scale them into float32 lanes as ggml's SIMD code does
// and agree with engine/quant to rounding, Q4_K and Q6_K are bit-identical to it. f32 products
// accumulate in float32 lanes (the reference accumulates in float64): they agree to rounding.
//
// Weights are copied into the memory once, on first use or by prepare(), which returns the
// weight as it lives there (EngineModel keeps only that, so a weight exists once); buffers
// that the caller takes from allocate() live in the memory already and are used without
// copying (the session's activations and KV cache should; others are copied in and out per call).
//
// Not here: the reference (cpu/kernels.ts), the threads (pool.ts).

import { cachedRopeTable, type RopeFrequencies } from "../rope-frequencies.ts";
import { availableParallelism } from "node:os";
import { RefuteError } from "../../../core/errors.ts";
import type { Matrix } from "../../model/weights.ts";
import { FP16_TABLE } from "../../quant/half.ts";
import { cpuKernels } from "../cpu/kernels.ts";
import type { AttentionShape, Kernels } from "../kernels.ts";
import {
  type Addressing,
  ARENA_START,
  bestKernelVariant,
  FP16_TABLE_OFFSET,
  growMemory,
  kernelMemory,
  type KernelVariant,
  kernelModule,
  MAX_THREADS,
  maxPages,
  type PoolOp,
  wasmMemory64Available,
  wasmRelaxedSimdAvailable,
  wasmSimdAvailable,
} from "./module.ts";

export { wasmSimdAvailable };
import { ThreadPool } from "./pool.ts";
import { revectorizationAvailable } from "./revectorize.ts";

export interface WasmKernelsOptions {
  /** threads including the main one; default: all cores */
  threads?: number;
  /** how long an idle thread spins before sleeping (microseconds); default 300 */
  spinMicros?: number;
  /** a task is split across threads only from this many bytes read (a product's weights, attention's keys, an element-wise task's inputs); default 48 KiB */
  minParallelBytes?: number;
  /** the kernels: "relaxed" needs a runtime with relaxed SIMD, "revec" one that revectorizes too; default: the best this runtime has */
  variant?: KernelVariant;
  /** "memory64": one 64-bit memory of up to 16 GiB (a runtime with memory64: Node 24); default "memory32", at most 4 GiB */
  addressing?: Addressing;
}

export interface WasmKernels extends Kernels {
  readonly threads: number;
  /** which kernels run: the SIMD proposal's, the relaxed SIMD ones (kernels-relaxed.wat), or those with the revectorized products (kernels-revec.wat) */
  readonly variant: KernelVariant;
  /** the memory they address: 32-bit (4 GiB) or 64-bit (16 GiB; weights above 4 GiB, everything else below) */
  readonly addressing: Addressing;
  /** A zeroed float32 buffer inside the backend's memory: kernels read and write it without copying. */
  allocate(length: number): Float32Array;
  allocateBytes(bytes: number): Uint8Array;
  /** Gives back a buffer from allocate(); a later allocate() of the same length reuses it. */
  release(buffer: Float32Array): void;
  /** Bytes of WebAssembly memory in use (weights, buffers, scratch): one copy for all threads. */
  memoryBytes(): number;
  matvecs(ws: Matrix[], x: Float32Array, outs: Float32Array[], biases: (Float32Array | null)[]): void;
  swiglu(gate: Float32Array, up: Float32Array): void;
  rmsNormTokens(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array, tokens: number): void;
  addInPlace(x: Float32Array, y: Float32Array): void;
  /** Copies a weight matrix into the backend's memory now (else on first use) and returns it living there. */
  prepare(w: Matrix): Matrix;
  /** Workers asleep now; every one of them once the backend has been idle past the spin. */
  sleepingWorkers(): number;
  /** Stops the worker threads; the kernels keep working on the main thread. */
  close(): Promise<void>;
}

type QuantMatrix = Extract<Matrix, { kind: "quant" }>;

/** A weight's type as MULTI_KINDS names it. */
const typeOf = (w: Matrix): string => (w.kind === "f32" ? "f32" : w.type);

/** The weight types of matvec_multi's table, in its order (kernels.wat). */
const MULTI_KINDS = ["f32", "q8_0", "q4_0", "q4_k", "q6_k"];

/**
 * Per weight type: the export, the block geometry, the activation quantizer and its size: nb
 * blocks take nb * actBytesPerBlock + actBytesExtra. An A8_0 block takes 64 + 4 bytes in
 * kernels.wat's layout, 96 + 4 + 16 in the relaxed one (kernels-relaxed.wat) and 64 + 80 in the
 * revectorized pair layout, whose odd last block takes a whole pair's 128 (kernels-revec.wat):
 * the largest serves all three.
 */
const QUANT_KERNELS: Record<string, { op: PoolOp; block: number; bytes: number; quantize: "quantize_q8_0" | "quantize_q8_k"; actBytesPerBlock: number; actBytesExtra: number }> = {
  q8_0: { op: "matvec_q8_0", block: 32, bytes: 34, quantize: "quantize_q8_0", actBytesPerBlock: 64 + 80, actBytesExtra: 64 },
  q4_0: { op: "matvec_q4_0", block: 32, bytes: 18, quantize: "quantize_q8_0", actBytesPerBlock: 64 + 80, actBytesExtra: 64 },
  q4_k: { op: "matvec_q4_k", block: 256, bytes: 144, quantize: "quantize_q8_k", actBytesPerBlock: 512 + 4 + 64, actBytesExtra: 0 },
  q6_k: { op: "matvec_q6_k", block: 256, bytes: 210, quantize: "quantize_q8_k", actBytesPerBlock: 512 + 4 + 64, actBytesExtra: 0 },
};

interface KernelExports {
  quantize_q8_0(x: number, a: number, nb: number): number;
  quantize_q8_k(x: number, a: number, nb: number): number;
  rms_norm(x: number, w: number, out: number, n: number, eps: number): void;
  rms_norm_tokens(x: number, w: number, out: number, n: number, tokens: number, eps: number): void;
  add_f32(x: number, y: number, n: number): void;
  swiglu(gate: number, up: number, n: number): void;
  layer_norm(x: number, w: number, b: number, out: number, n: number, eps: number): void;
  rope(x: number, heads: number, headDim: number, cs: number): void;
  softmax(x: number, n: number): void;
  argmax(x: number, n: number): number;
}

const PAGE = 65536;
/** Weight bytes per tile of matmul's rows: a tile stays in the L1 cache (32-48 KiB) while every token reads it. */
const MATMUL_TILE_BYTES = 16 * 1024;

/** A kernel writes `rows` values in place: into a buffer of this memory, a shorter one would overrun its neighbours. */
function checkOutput(w: Matrix, out: Float32Array | undefined): void {
  if (!out || out.length < w.rows) throw new RefuteError("KERNEL_SHAPE", `${w.name}: output has ${out?.length ?? 0} values, the product writes ${w.rows}`, { tensor: w.name, expected: w.rows, found: out?.length ?? 0 });
}

function checkLength(name: string, what: string, expected: number, found: number): void {
  if (expected !== found) throw new RefuteError("KERNEL_SHAPE", `${name}: ${what} has ${found} values, expected ${expected}`, { tensor: name, expected, found });
}

/** The attention kernels take head sizes in whole float32x4 lanes and query heads in whole groups. */
function attentionFits({ heads, kvHeads, headDim }: AttentionShape): boolean {
  return headDim % 4 === 0 && heads % kvHeads === 0;
}

/** The inputs of a prompt's products in the memory: token t's at `at + t * stride`. */
interface TokenActivations {
  at: number;
  stride: number;
}

/** A bump region of the memory: [top, end) is free. */
interface Arena {
  top: number;
  readonly end: number;
  readonly name: string;
}

/** Below this, an address fits the kernels' 32-bit arithmetic: activations, outputs and scratch live here. */
const LOW_END = 2 ** 32;
/** The kernels address within one matrix in 32 bits (wat-memory64.ts): a larger one (a 4 GiB F32 head) runs on the reference kernels. */
const MAX_KERNEL_MATRIX_BYTES = 2 ** 32 - 1;

class WasmBackend implements WasmKernels {
  readonly name = "cpu-wasm";
  /** activations, outputs, scratch, the f16 table: below 4 GiB */
  private readonly low: Arena;
  /** weights and the model file: the low arena itself over a 32-bit memory, from 4 GiB over a 64-bit one */
  private readonly high: Arena;
  private readonly ownBuffers = new WeakSet<ArrayBufferLike>();
  private readonly resident = new WeakMap<object, number>();
  private readonly scratch = new Map<string, { at: number; bytes: number }>();
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);
  /** the RoPE table in the "rope" scratch now */
  private ropeTable: Float64Array | null = null;
  /** released allocate() buffers by length (the arena itself only grows) */
  private readonly released = new Map<number, number[]>();

  constructor(
    readonly variant: KernelVariant,
    readonly addressing: Addressing,
    private readonly memory: WebAssembly.Memory,
    private readonly k: KernelExports,
    private readonly pool: ThreadPool,
    private readonly minParallelBytes: number,
  ) {
    this.low = { top: ARENA_START, end: LOW_END, name: "activations" };
    this.high = addressing === "memory64" ? { top: LOW_END, end: maxPages(addressing) * PAGE, name: "weights" } : this.low;
    this.refreshViews();
    this.f32.set(FP16_TABLE, FP16_TABLE_OFFSET / 4);
  }

  get threads(): number {
    return this.pool.threads;
  }

  /**
   * The memory's buffer now, known as ours (offsetOf) and under the f32 and u8 views. A shared
   * memory's buffer object can change after a growth later than the growth itself (V8 gives
   * the main thread a new SharedArrayBuffer when it next sees the new length): a view made on
   * an object never seen here would not count as the backend's (a session's buffers were
   * refused by release() that way).
   */
  private buffer(): ArrayBufferLike {
    this.refreshViews();
    return this.memory.buffer;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    if (this.u8.buffer === buffer) return;
    this.ownBuffers.add(buffer);
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  private alloc(bytes: number, arena = this.low): number {
    const at = Math.ceil(arena.top / 64) * 64; // not `& ~63`: offsets pass 2^31, past what JavaScript's bitwise operators keep
    const end = at + bytes;
    if (end > arena.end) throw this.memoryFull(arena, end);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        growMemory(this.memory, this.addressing, Math.ceil((end - have) / PAGE));
      } catch (e) {
        throw this.memoryFull(arena, end, (e as Error).message);
      }
    }
    arena.top = end;
    this.refreshViews();
    return at;
  }

  private memoryFull(arena: Arena, end: number, why = `past ${arena.end} bytes`): RefuteError {
    const limit =
      this.addressing === "memory32"
        ? `WebAssembly memory ends at 4 GiB: use the cpu-ts backend${wasmMemory64Available() ? ", or the 64-bit memory this runtime has (memory64)" : " (Node 24's 64-bit memory holds 16 GiB)"}`
        : arena === this.low
          ? "activations, outputs and scratch live below 4 GiB of the 64-bit memory"
          : "V8 gives a 64-bit memory 16 GiB: use the cpu-ts backend";
    return new RefuteError("WASM_MEMORY", `the cpu-wasm backend's ${this.addressing === "memory64" ? `${arena.name} ` : ""}memory cannot grow to ${end} bytes (${why}); ${limit}`, { expected: end, found: this.memory.buffer.byteLength });
  }

  /** Byte offset of a view that lives in this memory, else -1. */
  private offsetOf(a: ArrayBufferView): number {
    return this.ownBuffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** Byte offset of a view that lives below 4 GiB of this memory (where a kernel's 32-bit pointers reach), else -1. */
  private lowOffsetOf(a: ArrayBufferView): number {
    const at = this.offsetOf(a);
    return at >= 0 && at + a.byteLength <= LOW_END ? at : -1;
  }

  private scratchAt(name: string, bytes: number): number {
    const s = this.scratch.get(name);
    if (s && s.bytes >= bytes) return s.at;
    const at = this.alloc(bytes);
    this.scratch.set(name, { at, bytes });
    return at;
  }

  /** Offset of `a` in memory: itself when it lives below 4 GiB, else a copy in scratch `name`. */
  private input(a: Float32Array, name: string, n = a.length): number {
    if (a.length < n) throw new RefuteError("KERNEL_SHAPE", `${name}: ${a.length} values, the kernel reads ${n}`, { tensor: name, expected: n, found: a.length });
    const own = this.lowOffsetOf(a);
    if (own >= 0) return own;
    const at = this.scratchAt(name, n * 4);
    this.f32.set(n === a.length ? a : a.subarray(0, n), at / 4);
    return at;
  }

  /**
   * Weights and norm vectors: where they live in the memory, copied in once (keyed by their
   * array) when they live outside it or, over a 64-bit memory, off the 16-byte grid its weight
   * pointers count in.
   */
  private residentOffset(data: Float32Array | Uint8Array): number {
    const own = this.offsetOf(data);
    if (own >= 0 && (this.addressing === "memory32" || own % 16 === 0)) return own;
    let at = this.resident.get(data);
    if (at === undefined) {
      at = this.alloc(data.byteLength, this.high);
      this.u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
      this.resident.set(data, at);
    }
    return at;
  }

  /** What a kernel's weight parameter ($w, $bias) takes: the byte offset, or over a 64-bit memory that offset in units of 16 bytes (wat-memory64.ts). */
  private weightArg(data: Float32Array | Uint8Array): number {
    const at = this.residentOffset(data);
    return this.addressing === "memory64" ? at / 16 : at;
  }

  allocate(length: number): Float32Array {
    const reused = this.released.get(length)?.pop();
    if (reused !== undefined) return new Float32Array(this.buffer(), reused, length).fill(0);
    const at = this.alloc(length * 4);
    return new Float32Array(this.buffer(), at, length);
  }

  allocateBytes(bytes: number): Uint8Array {
    const at = this.alloc(bytes, this.high); // first: it may grow the memory, which gives it a new buffer
    return new Uint8Array(this.buffer(), at, bytes);
  }

  release(buffer: Float32Array): void {
    const at = this.offsetOf(buffer);
    if (at < 0) throw new RefuteError("WASM_RELEASE", "release(): the buffer was not allocated by this backend", { found: buffer.length });
    const list = this.released.get(buffer.length) ?? [];
    if (!list.includes(at)) list.push(at);
    this.released.set(buffer.length, list);
  }

  memoryBytes(): number {
    return this.low === this.high ? this.low.top : this.low.top + (this.high.top - LOW_END);
  }

  prepare(w: Matrix): Matrix {
    if (w.kind === "quant") this.checkQuant(w);
    const at = this.residentOffset(w.data);
    const buffer = this.buffer();
    return w.kind === "f32" ? { ...w, data: new Float32Array(buffer, at, w.data.length) } : { ...w, data: new Uint8Array(buffer, at, w.data.length) };
  }

  private checkQuant(w: QuantMatrix): (typeof QUANT_KERNELS)[string] | null {
    const q = QUANT_KERNELS[w.type];
    if (!q) return null;
    if (w.cols % q.block !== 0 || w.data.length !== w.rows * (w.cols / q.block) * q.bytes) {
      throw new RefuteError("KERNEL_SHAPE", `${w.name}: ${w.type} [${w.rows}, ${w.cols}] needs ${w.rows * Math.ceil(w.cols / q.block) * q.bytes} bytes in whole blocks, found ${w.data.length}`, {
        tensor: w.name,
        expected: w.rows * Math.ceil(w.cols / q.block) * q.bytes,
        found: w.data.length,
      });
    }
    return q;
  }

  /**
   * The activation a product of w reads, in memory: x itself for f32 weights, else x
   * quantized as llama.cpp does. null where the weight type has no kernel here, "nan" where x
   * has a non-finite value (it has no quantized form: every output is NaN, as engine/quant).
   */
  private activation(w: Matrix, x: Float32Array): { op: PoolOp; act: number } | null | "nan" {
    checkLength(w.name, "input", w.cols, x.length);
    if (w.data.byteLength > MAX_KERNEL_MATRIX_BYTES) return null;
    if (w.kind === "f32") {
      checkLength(w.name, "weight", w.rows * w.cols, w.data.length);
      return { op: "matvec_f32", act: this.input(x, "x") };
    }
    const q = this.checkQuant(w);
    if (!q) return null;
    const nb = w.cols / q.block;
    const xp = this.input(x, "x");
    const act = this.scratchAt("act", nb * q.actBytesPerBlock + q.actBytesExtra);
    return this.k[q.quantize](xp, act, nb) !== 0 ? "nan" : { op: q.op, act };
  }

  /** Whether a task over `rows` (rows, tokens, heads, values) that reads `bytes` is worth the threads' meeting. */
  private parallel(bytes: number, rows: number): boolean {
    return bytes >= this.minParallelBytes && rows >= this.pool.threads;
  }

  matvec(w: Matrix, x: Float32Array, out: Float32Array, bias: Float32Array | null): void {
    checkOutput(w, out);
    const a = this.activation(w, x);
    if (a === null) return cpuKernels.matvec(w, x, out, bias);
    const rows = w.rows;
    if (a === "nan") {
      out.fill(NaN, 0, rows);
      return;
    }
    const wp = this.weightArg(w.data);
    const own = this.lowOffsetOf(out);
    const outAt = own >= 0 ? own : this.scratchAt("out", rows * 4);
    this.pool.run(a.op, [wp, a.act, outAt, 0, rows, w.cols], 3, this.parallel(w.data.byteLength, rows));
    if (own < 0) out.set(this.f32.subarray(outAt / 4, (outAt / 4) + rows));
    if (bias) for (let r = 0; r < rows; r++) out[r] += bias[r];
  }

  matvecs(ws: Matrix[], x: Float32Array, outs: Float32Array[], biases: (Float32Array | null)[]): void {
    ws.forEach((w, i) => checkOutput(w, outs[i]));
    const [first] = ws;
    const kind = MULTI_KINDS.indexOf(typeOf(first));
    // one task needs one weight type and width, and outputs that live in the memory
    const fused = kind >= 0 && ws.every((w, i) => typeOf(w) === typeOf(first) && w.cols === first.cols && this.lowOffsetOf(outs[i]) >= 0);
    const a = fused ? this.activation(first, x) : null;
    if (a === null || a === "nan") {
      ws.forEach((w, i) => this.matvec(w, x, outs[i], biases[i]));
      return;
    }
    const desc = this.scratchAt("multi", ws.length * 12);
    let rows = 0;
    let bytes = 0;
    ws.forEach((w, i) => {
      if (w.kind === "quant") this.checkQuant(w);
      else checkLength(w.name, "weight", w.rows * w.cols, w.data.length);
      const wp = this.weightArg(w.data); // first: it may copy the weight in and grow the memory (new views)
      const at = desc / 4 + 3 * i;
      this.i32[at] = wp;
      this.i32[at + 1] = this.lowOffsetOf(outs[i]);
      this.i32[at + 2] = w.rows;
      rows += w.rows;
      bytes += w.data.byteLength;
    });
    this.pool.run("matvec_multi", [kind, desc, ws.length, a.act, 0, rows, first.cols], 4, this.parallel(bytes, rows));
    ws.forEach((w, i) => {
      const bias = biases[i];
      if (bias) for (let r = 0; r < w.rows; r++) outs[i][r] += bias[r];
    });
  }

  matmul(w: Matrix, x: Float32Array, out: Float32Array, tokens: number, bias: Float32Array | null): void {
    this.matmuls([w], x, [out], tokens, [bias]);
  }

  matmuls(ws: Matrix[], x: Float32Array, outs: Float32Array[], tokens: number, biases: (Float32Array | null)[]): void {
    // the inputs quantized once per activation format, for every weight that reads that format
    const shared = new Map<string, TokenActivations | null>();
    ws.forEach((w, i) => this.matmulWith(w, x, outs[i], tokens, biases[i], shared));
  }

  private matmulWith(w: Matrix, x: Float32Array, out: Float32Array, tokens: number, bias: Float32Array | null, shared: Map<string, TokenActivations | null>): void {
    const { rows, cols } = w;
    checkLength(w.name, "inputs", tokens * cols, x.length);
    if (out.length < tokens * rows) throw new RefuteError("KERNEL_SHAPE", `${w.name}: outputs have ${out.length} values, ${tokens} products write ${tokens * rows}`, { tensor: w.name, expected: tokens * rows, found: out.length });
    const kind = MULTI_KINDS.indexOf(w.kind === "f32" ? "f32" : w.type);
    const acts = kind < 0 || w.data.byteLength > MAX_KERNEL_MATRIX_BYTES ? null : this.sharedActivations(w, x, tokens, shared);
    if (acts === null) {
      for (let t = 0; t < tokens; t++) this.matvec(w, x.subarray(t * cols, (t + 1) * cols), out.subarray(t * rows, (t + 1) * rows), bias);
      return;
    }
    const wp = this.weightArg(w.data);
    const own = this.lowOffsetOf(out);
    const outAt = own >= 0 ? own : this.scratchAt("out-block", tokens * rows * 4);
    const rowBytes = w.data.byteLength / rows;
    // an even number of rows: the revectorized f32 product takes rows two at a time, a tile's odd last row one at a time (slower)
    const tile = Math.max(2, 2 * Math.floor(MATMUL_TILE_BYTES / rowBytes / 2));
    // a prompt's product is long: four chunks per thread even out the threads' shares
    this.pool.run("matmul", [kind, wp, acts.at, acts.stride, outAt, rows * 4, tokens, tile, 0, rows, cols], 8, this.parallel(w.data.byteLength, rows), this.pool.threads * 4);
    if (own < 0) out.set(this.f32.subarray(outAt / 4, (outAt / 4) + tokens * rows));
    if (bias) for (let t = 0; t < tokens; t++) for (let r = 0; r < rows; r++) out[t * rows + r] += bias[r];
  }

  /** activations() of w's format, once per format within one matmuls call (`shared`). */
  private sharedActivations(w: Matrix, x: Float32Array, tokens: number, shared: Map<string, TokenActivations | null>): TokenActivations | null {
    if (w.kind === "f32") checkLength(w.name, "weight", w.rows * w.cols, w.data.length);
    const format = w.kind === "f32" ? "f32" : (this.checkQuant(w) as (typeof QUANT_KERNELS)[string]).quantize;
    if (!shared.has(format)) shared.set(format, this.activations(w, x, tokens));
    return shared.get(format) ?? null;
  }

  /**
   * The activations `tokens` products of w read, each `stride` bytes apart: the inputs
   * themselves for f32, else each quantized as llama.cpp does; null where an input has a
   * non-finite value (the caller then takes the tokens one by one, as matvec handles them).
   */
  private activations(w: Matrix, x: Float32Array, tokens: number): TokenActivations | null {
    const xp = this.input(x, "x-block");
    if (w.kind === "f32") return { at: xp, stride: w.cols * 4 };
    const q = this.checkQuant(w) as (typeof QUANT_KERNELS)[string];
    const nb = w.cols / q.block;
    const stride = nb * q.actBytesPerBlock + q.actBytesExtra;
    // one scratch per format: a matmuls call keeps one of each alive at once
    const at = this.scratchAt(`act-block-${q.quantize}`, tokens * stride);
    const flag = this.scratchAt("quantize-flag", 4);
    const nonFinite = new Int32Array(this.buffer(), flag, 1);
    nonFinite[0] = 0;
    const kind = q.quantize === "quantize_q8_k" ? 1 : 0;
    this.pool.run("quantize_tokens", [kind, xp, w.cols * 4, at, stride, 0, tokens, nb, flag], 5, this.parallel(tokens * w.cols * 4, tokens));
    return nonFinite[0] !== 0 ? null : { at, stride };
  }

  embeddingRow(w: Matrix, row: number, out: Float32Array): void {
    cpuKernels.embeddingRow(w, row, out);
  }

  private output(out: Float32Array, n: number, run: (at: number) => void): void {
    if (out.length < n) throw new RefuteError("KERNEL_SHAPE", `output: ${out.length} values, the kernel writes ${n}`, { expected: n, found: out.length });
    const own = this.lowOffsetOf(out);
    const at = own >= 0 ? own : this.scratchAt("norm-out", n * 4);
    run(at);
    if (own < 0) out.set(this.f32.subarray(at / 4, (at / 4) + n));
  }

  rmsNorm(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array): void {
    const n = x.length;
    checkLength("rmsNorm", "weight", n, weight.length);
    const xp = this.input(x, "norm-x");
    const wp = this.weightArg(weight);
    this.output(out, n, (at) => this.k.rms_norm(xp, wp, at, n, eps));
  }

  rmsNormTokens(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array, tokens: number): void {
    const n = weight.length;
    checkLength("rmsNormTokens", "x", tokens * n, x.length);
    const xp = this.input(x, "norm-x");
    const wp = this.weightArg(weight);
    this.output(out, tokens * n, (at) => this.k.rms_norm_tokens(xp, wp, at, n, tokens, eps));
  }

  addInPlace(x: Float32Array, y: Float32Array): void {
    checkLength("addInPlace", "y", x.length, y.length);
    const xp = this.lowOffsetOf(x);
    const yp = this.lowOffsetOf(y);
    if (xp >= 0 && yp >= 0) this.k.add_f32(xp, yp, x.length);
    // outside the memory, copies in and out would cost more than the sum itself
    else for (let i = 0; i < x.length; i++) x[i] += y[i];
  }

  layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number, out: Float32Array): void {
    const n = x.length;
    checkLength("layerNorm", "weight", n, weight.length);
    checkLength("layerNorm", "bias", n, bias.length);
    const xp = this.input(x, "norm-x");
    const wp = this.weightArg(weight);
    const bp = this.weightArg(bias);
    this.output(out, n, (at) => this.k.layer_norm(xp, wp, bp, at, n, eps));
  }

  swiglu(gate: Float32Array, up: Float32Array): void {
    const n = up.length;
    checkLength("swiglu", "gate", n, gate.length);
    const gp = this.input(gate, "gate");
    const own = this.lowOffsetOf(up);
    const at = this.input(up, "up");
    this.pool.run("swiglu_range", [gp, at, 0, n], 2, this.parallel(n * 4, n));
    if (own < 0) up.set(this.f32.subarray(at / 4, (at / 4) + n));
  }

  rope(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void {
    const half = headDim / 2;
    const cs = this.scratchAt("rope", half * 16);
    // the angles in float64 exactly as the reference computes them (the queries' and the keys' of a token share one)
    const table = cachedRopeTable(freqs, position);
    if (table !== this.ropeTable) {
      new Float64Array(this.buffer(), cs, half * 2).set(table);
      this.ropeTable = table;
    }
    const n = heads * headDim;
    const own = this.lowOffsetOf(x);
    const at = this.input(x, "rope-x", n);
    this.k.rope(at, heads, headDim, cs);
    if (own < 0) x.set(this.f32.subarray(at / 4, (at / 4) + n));
  }

  attention(q: Float32Array, keys: Float32Array, values: Float32Array, length: number, shape: AttentionShape, out: Float32Array): void {
    const { heads, kvHeads, headDim } = shape;
    if (!attentionFits(shape)) return cpuKernels.attention(q, keys, values, length, shape, out);
    const { qp, kp, vp, stride, scores } = this.attentionOperands(q, "q", 1, keys, values, length, shape);
    const parallel = length * heads * headDim >= 1 << 15 && heads >= this.pool.threads;
    this.output(out, heads * headDim, (at) =>
      this.pool.run("attention", [qp, kp, vp, length, 0, heads, kvHeads, headDim, heads / kvHeads, at, scores], 4, parallel, heads, stride),
    );
  }

  attentionTokens(q: Float32Array, keys: Float32Array, values: Float32Array, firstLength: number, tokens: number, shape: AttentionShape, out: Float32Array): void {
    const { heads, kvHeads, headDim } = shape;
    const qWidth = heads * headDim;
    if (!attentionFits(shape)) {
      for (let t = 0; t < tokens; t++) cpuKernels.attention(q.subarray(t * qWidth, (t + 1) * qWidth), keys, values, firstLength + t, shape, out.subarray(t * qWidth, (t + 1) * qWidth));
      return;
    }
    const { qp, kp, vp, stride, scores } = this.attentionOperands(q, "q-block", tokens, keys, values, firstLength + tokens - 1, shape);
    const pairs = tokens * heads;
    // the later tokens attend over more positions: small chunks keep the threads' shares even
    const parallel = this.parallel(tokens * firstLength * qWidth * 4, pairs);
    this.output(out, tokens * qWidth, (at) =>
      this.pool.run("attention_tokens", [qp, kp, vp, firstLength, 0, pairs, heads, kvHeads, headDim, heads / kvHeads, at, scores], 4, parallel, this.pool.threads * 16, stride),
    );
  }

  /**
   * Attention's operands where the kernel reads them: `tokens` queries, keys and values of
   * `length` positions, and each thread's scores (f32 [length], rows 64-byte aligned).
   */
  private attentionOperands(q: Float32Array, qName: string, tokens: number, keys: Float32Array, values: Float32Array, length: number, shape: AttentionShape) {
    const kvWidth = shape.kvHeads * shape.headDim;
    const stride = (length * 4 + 63) & ~63;
    return {
      qp: this.input(q, qName, tokens * shape.heads * shape.headDim),
      kp: this.input(keys, "keys", length * kvWidth),
      vp: this.input(values, "values", length * kvWidth),
      stride,
      scores: this.scratchAt("scores", stride * this.pool.threads),
    };
  }

  softmax(x: Float32Array, n: number): void {
    const own = this.lowOffsetOf(x);
    const at = this.input(x, "softmax", n);
    this.k.softmax(at, n);
    if (own < 0) x.set(this.f32.subarray(at / 4, (at / 4) + n));
  }

  argmax(x: Float32Array): number {
    if (x.length === 0) return 0;
    return this.k.argmax(this.input(x, "argmax"), x.length);
  }

  sleepingWorkers(): number {
    return this.pool.sleepingWorkers();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The cpu-wasm backend with `threads` threads (default: all cores), workers started and ready. */
export async function createWasmKernels(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
  if (!wasmSimdAvailable()) {
    throw new RefuteError("WASM_SIMD_MISSING", "this runtime lacks WebAssembly SIMD or shared memory: use the cpu-ts backend", { expected: "WebAssembly SIMD + shared memory" });
  }
  const variant = options.variant ?? bestKernelVariant();
  if (variant !== "simd" && !wasmRelaxedSimdAvailable()) {
    throw new RefuteError("WASM_RELAXED_SIMD_MISSING", `Node.js ${process.version} does not validate WebAssembly relaxed SIMD (Node 24 does): use the simd kernels`, { expected: "WebAssembly relaxed SIMD", found: process.version });
  }
  if (variant === "revec" && !revectorizationAvailable()) {
    throw new RefuteError("WASM_REVECTORIZE_MISSING", `Node.js ${process.version} cannot revectorize WebAssembly SIMD here (Node 24's V8 does on x64 with AVX2, unless REFUTE_WASM_REVECTORIZE=0): use the relaxed kernels`, { expected: "V8 --experimental-wasm-revectorize with AVX2", found: `${process.version} ${process.arch}` });
  }
  const addressing = options.addressing ?? "memory32";
  if (addressing === "memory64" && !wasmMemory64Available()) {
    throw new RefuteError("WASM_MEMORY64_MISSING", `Node.js ${process.version} has no 64-bit WebAssembly memory (memory64; Node 24 has it): the cpu-wasm backend holds 4 GiB here`, { expected: "WebAssembly memory64", found: process.version });
  }
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(availableParallelism(), MAX_THREADS)));
  if (threads > MAX_THREADS) throw new RefuteError("WASM_THREADS", `the cpu-wasm backend runs at most ${MAX_THREADS} threads, ${threads} asked`, { expected: MAX_THREADS, found: threads });
  const module = await kernelModule(variant, addressing);
  const memory = kernelMemory(addressing, Math.ceil(ARENA_START / PAGE) + 16);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const pool = await ThreadPool.start(module, memory, instance.exports, { threads, spinMicros: options.spinMicros ?? 300 });
  return new WasmBackend(variant, addressing, memory, instance.exports as unknown as KernelExports, pool, options.minParallelBytes ?? 48 * 1024);
}
