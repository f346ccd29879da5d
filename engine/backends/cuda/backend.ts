// The CUDA backend: the kernel interface (../kernels.ts) on one NVIDIA GPU through the driver
// API (driver.ts) and the PTX of kernels.cu. Checked against the CPU reference (../cpu/).
//
// Memory: weight matrices are uploaded once (by prepare() or on first use), keyed by their
// bytes, and stay. Every float32 array the interface passes (activations, norm weights, the KV
// cache) has a device mirror with a host shadow of what the device holds: a call uploads only
// what changed since (for the KV cache that is the new position: the earlier rows are compared,
// not trusted, so a cache rewritten behind the backend's back is still read right), and the
// outputs the interface returns are copied back, nothing else. A quantized activation is
// quantized on the device once per distinct input (q, k and v share one). allocate() hands out
// plain host buffers; release() frees their device mirrors at once (else the garbage collector
// does, through a FinalizationRegistry).
// Not here: embeddingRow (a row lookup, done on the host by the reference), a fused decode loop
// (the interface returns every activation to the host; see README.md for what remains).
//
// Without a device, createCudaKernels() throws CUDA_UNAVAILABLE with the reason, and
// probeCuda() (driver.ts) says the same without throwing. After close() the kernels keep
// working on the CPU reference, as the interface asks.

import { type RopeFrequencies, ropeTable } from "../rope-frequencies.ts";
import { readFileSync } from "node:fs";
import { RefuteError } from "../../../core/errors.ts";
import type { Matrix } from "../../model/weights.ts";
import { cpuKernels } from "../cpu/kernels.ts";
import type { AttentionShape, Kernels } from "../kernels.ts";
import { CudaContext, type ArgKind, type CudaFunction, type DevicePtr } from "./driver.ts";
import { activationBytes, deviceBytes, quantLayout, type ActivationFormat } from "./layout.ts";

export { probeCuda, type CudaProbe } from "./driver.ts";

export const PTX_URL = new URL("./kernels.ptx", import.meta.url);

/** Every kernel of kernels.cu with its parameters in order (test/backends/cuda-ptx.test.ts checks them against the PTX). */
export const KERNEL_SIGNATURES = {
  quantize_a8_0: ["ptr", "i32", "ptr", "ptr"],
  quantize_a8_k: ["ptr", "i32", "ptr", "ptr", "ptr"],
  matvec_f32: ["ptr", "ptr", "ptr", "ptr", "i32", "i32"],
  matvec_q8_0: ["ptr", "ptr", "ptr", "ptr", "ptr", "i32", "i32"],
  matvec_q4_0: ["ptr", "ptr", "ptr", "ptr", "ptr", "i32", "i32"],
  matvec_q4_k: ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", "i32", "i32"],
  matvec_q6_k: ["ptr", "ptr", "ptr", "ptr", "ptr", "i32", "i32"],
  rms_norm: ["ptr", "ptr", "ptr", "i32", "f64"],
  layer_norm: ["ptr", "ptr", "ptr", "ptr", "i32", "f64"],
  rope: ["ptr", "i32", "i32", "ptr", "i32"],
  softmax: ["ptr", "i32"],
  attention: ["ptr", "ptr", "ptr", "i32", "i32", "i32", "i32", "f64", "ptr", "ptr"],
  argmax: ["ptr", "i32", "ptr"],
} as const satisfies Record<string, readonly ArgKind[]>;

export type KernelName = keyof typeof KERNEL_SIGNATURES;

// launch geometry (kernels.cu states what each kernel expects)
const ROWS_PER_BLOCK = 8; // matvec: one warp per row, 256 threads
const THREADS = 256;
const WIDE = 1024; // softmax, argmax: one block

export interface CudaKernelsOptions {
  /** the driver library; default libcuda.so.1 */
  library?: string;
  /** device ordinal; default 0 */
  device?: number;
  /** PTX text; default kernels.ptx beside this file */
  ptx?: string;
}

export interface CudaTraffic {
  launches: number;
  uploads: number;
  uploadBytes: number;
  downloads: number;
  downloadBytes: number;
  /** device bytes held now: weights, mirrors, scratch */
  deviceBytes: number;
}

export interface CudaKernels extends Kernels {
  readonly deviceName: string;
  readonly driverVersion: number;
  /** Uploads a weight matrix now rather than on its first product; the host copy stays (the CPU fallback after close() reads it). */
  prepare(w: Matrix): Matrix;
  allocate(length: number): Float32Array;
  release(buffer: Float32Array): void;
  /** RoPE with adjacent pairs (2i, 2i + 1) (GPT-J / original-Meta layout); rope() pairs split halves. */
  ropeAdjacent(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void;
  /** Counters since creation: what crossed the bus and how many kernels ran. */
  traffic(): CudaTraffic;
  /** Frees the device (destroys the context); the kernels keep working on the CPU reference. */
  close(): Promise<void>;
}

interface Mirror {
  ptr: DevicePtr;
  bytes: number;
  /** what the device holds in [0, valid) */
  shadow: Uint8Array;
  valid: number;
  /** bumped whenever the device content changes */
  version: number;
}

interface Resident {
  ptr: DevicePtr;
  bytes: number;
}

function checkLength(name: string, what: string, expected: number, found: number): void {
  if (expected !== found) throw new RefuteError("KERNEL_SHAPE", `${name}: ${what} has ${found} values, expected ${expected}`, { tensor: name, expected, found });
}

function atLeast(name: string, what: string, needed: number, found: number): void {
  if (found < needed) throw new RefuteError("KERNEL_SHAPE", `${name}: ${what} has ${found} values, needs at least ${needed}`, { tensor: name, expected: needed, found });
}

function bytesOf(a: ArrayBufferView, byteLength = a.byteLength): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}


class CudaBackend implements CudaKernels {
  readonly name = "cuda";
  private closed = false;
  private readonly weights = new WeakMap<object, Resident>();
  private readonly mirrors = new WeakMap<ArrayBufferLike, Map<number, Mirror>>();
  private readonly scratch = new Map<string, Resident>();
  private readonly activations = new Map<ActivationFormat, { mirror: Mirror; version: number; n: number; at: DevicePtr }>();
  private readonly index = new Int32Array(1);
  private ropeKey = "";
  private readonly counters: CudaTraffic = { launches: 0, uploads: 0, uploadBytes: 0, downloads: 0, downloadBytes: 0, deviceBytes: 0 };
  // device memory of arrays the program has dropped goes back to the driver
  private readonly collected = new FinalizationRegistry<Resident | Map<number, Mirror>>((held) => {
    if (this.closed) return;
    for (const r of held instanceof Map ? held.values() : [held]) this.freeDevice(r);
  });

  constructor(
    private readonly cuda: CudaContext,
    private readonly functions: Map<string, CudaFunction>,
  ) {}

  get deviceName(): string {
    return this.cuda.deviceName;
  }

  get driverVersion(): number {
    return this.cuda.driverVersion;
  }

  traffic(): CudaTraffic {
    return { ...this.counters };
  }

  // --- memory -------------------------------------------------------------------------------

  private deviceAlloc(bytes: number): Resident {
    const ptr = this.cuda.alloc(bytes);
    this.counters.deviceBytes += bytes;
    return { ptr, bytes };
  }

  private freeDevice(r: Resident): void {
    this.cuda.free(r.ptr);
    this.counters.deviceBytes -= r.bytes;
  }

  private upload(ptr: DevicePtr, bytes: Uint8Array | Float32Array | Float64Array): void {
    this.cuda.upload(ptr, bytes);
    this.counters.uploads++;
    this.counters.uploadBytes += bytes.byteLength;
  }

  private download(dst: ArrayBufferView, ptr: DevicePtr): void {
    this.cuda.download(dst, ptr);
    this.counters.downloads++;
    this.counters.downloadBytes += dst.byteLength;
  }

  private scratchAt(name: string, bytes: number): DevicePtr {
    const s = this.scratch.get(name);
    if (s && s.bytes >= bytes) return s.ptr;
    if (s) this.freeDevice(s);
    const r = this.deviceAlloc(Math.max(bytes, 256));
    this.scratch.set(name, r);
    return r.ptr;
  }

  /** A weight matrix on the device, uploaded on first use (weights do not change). */
  private weight(w: Matrix): { ptr: DevicePtr; kernel: KernelName; activation: ActivationFormat | null } | null {
    let kernel: KernelName = "matvec_f32";
    let activation: ActivationFormat | null = null;
    let bytes: () => Uint8Array | Float32Array;
    if (w.kind === "f32") {
      checkLength(w.name, "weight", w.rows * w.cols, w.data.length);
      bytes = () => w.data;
    } else {
      const layout = quantLayout(w);
      if (!layout) return null;
      kernel = layout.kernel;
      activation = layout.activation;
      bytes = () => deviceBytes(w, layout);
    }
    let r = this.weights.get(w.data);
    if (!r) {
      const data = bytes();
      r = this.deviceAlloc(data.byteLength);
      this.upload(r.ptr, data);
      this.weights.set(w.data, r);
      this.collected.register(w.data, r);
    }
    return { ptr: r.ptr, kernel, activation };
  }

  /** The device mirror of `a`'s buffer at `a`'s offset, holding at least `a.byteLength` bytes. */
  private mirror(a: Float32Array): Mirror {
    let byOffset = this.mirrors.get(a.buffer);
    if (!byOffset) {
      byOffset = new Map();
      this.mirrors.set(a.buffer, byOffset);
      this.collected.register(a.buffer, byOffset, byOffset);
    }
    let m = byOffset.get(a.byteOffset);
    if (m && m.bytes < a.byteLength) {
      this.freeDevice(m);
      m = undefined;
    }
    if (!m) {
      const r = this.deviceAlloc(a.byteLength);
      m = { ...r, shadow: new Uint8Array(a.byteLength), valid: 0, version: 0 };
      byOffset.set(a.byteOffset, m);
    }
    return m;
  }

  /** a[0, n) on the device: uploads what differs from what the device holds (only new rows when the rest is unchanged). */
  private input(a: Float32Array, n = a.length): Mirror {
    const m = this.mirror(a);
    const bytes = n * 4;
    const host = bytesOf(a, bytes);
    const held = Math.min(m.valid, bytes);
    const from = held > 0 && sameBytes(host.subarray(0, held), m.shadow.subarray(0, held)) ? held : 0;
    if (from < bytes) {
      this.upload(m.ptr + BigInt(from), host.subarray(from));
      m.shadow.set(host.subarray(from), from);
      m.valid = Math.max(m.valid, bytes);
      m.version++;
    }
    return m;
  }

  /** After a kernel wrote out[0, n) on the device: copy it back, and remember that the device holds it. */
  private output(out: Float32Array, m: Mirror, n: number): void {
    const host = bytesOf(out, n * 4);
    this.download(host, m.ptr);
    m.shadow.set(host, 0);
    m.valid = Math.max(m.valid, n * 4);
    m.version++;
  }

  /** x (already on the device) quantized to `format`, once per distinct content. */
  private activation(format: ActivationFormat, x: Mirror, n: number): { qs: DevicePtr; d: DevicePtr; bsums: DevicePtr } {
    const size = activationBytes(format, n);
    const base = this.scratchAt(`act-${format}`, size.qs + size.d + size.bsums);
    const qs = base;
    const d = base + BigInt(size.qs);
    const bsums = d + BigInt(size.d);
    const last = this.activations.get(format);
    if (!(last && last.mirror === x && last.version === x.version && last.n === n && last.at === base)) {
      if (format === "a8_0") this.launch("quantize_a8_0", Math.ceil((n / 32) * 32 / THREADS), THREADS, [x.ptr, n, qs, d]);
      else this.launch("quantize_a8_k", Math.ceil((n / 256) * 32 / THREADS), THREADS, [x.ptr, n, qs, d, bsums]);
      this.activations.set(format, { mirror: x, version: x.version, n, at: base });
    }
    return { qs, d, bsums };
  }

  private launch(name: KernelName, grid: number, block: number, values: (DevicePtr | number | null)[]): void {
    this.cuda.launch(this.functions.get(name) as CudaFunction, grid, block, KERNEL_SIGNATURES[name], values);
    this.counters.launches++;
  }

  // --- the kernel interface -----------------------------------------------------------------

  /** Plain host memory: the device mirror follows it (see the header). */
  allocate(length: number): Float32Array {
    return new Float32Array(length);
  }

  /** Frees the device mirrors of an allocate() buffer now rather than when it is collected. */
  release(buffer: Float32Array): void {
    const byOffset = this.mirrors.get(buffer.buffer);
    if (!byOffset) return;
    this.mirrors.delete(buffer.buffer);
    this.collected.unregister(byOffset);
    if (this.closed) return;
    for (const m of byOffset.values()) this.freeDevice(m);
    for (const [format, last] of this.activations) if ([...byOffset.values()].includes(last.mirror)) this.activations.delete(format);
  }

  prepare(w: Matrix): Matrix {
    if (!this.closed) this.weight(w);
    return w;
  }

  matvec(w: Matrix, x: Float32Array, out: Float32Array, bias: Float32Array | null): void {
    checkLength(w.name, "input", w.cols, x.length);
    if (this.closed) return cpuKernels.matvec(w, x, out, bias);
    const weight = this.weight(w);
    if (!weight) return cpuKernels.matvec(w, x, out, bias);
    const { rows, cols } = w;
    atLeast(w.name, "output", rows, out.length);
    if (bias) atLeast(w.name, "bias", rows, bias.length);
    const xm = this.input(x);
    const bp = bias ? this.input(bias, rows).ptr : null;
    const om = this.mirror(out);
    const grid = Math.ceil(rows / ROWS_PER_BLOCK);
    const block = ROWS_PER_BLOCK * 32;
    if (!weight.activation) {
      this.launch("matvec_f32", grid, block, [weight.ptr, xm.ptr, bp, om.ptr, rows, cols]);
    } else {
      const a = this.activation(weight.activation, xm, cols);
      if (weight.kernel === "matvec_q4_k") this.launch(weight.kernel, grid, block, [weight.ptr, a.qs, a.d, a.bsums, bp, om.ptr, rows, cols]);
      else this.launch(weight.kernel, grid, block, [weight.ptr, a.qs, a.d, bp, om.ptr, rows, cols]);
    }
    this.output(out, om, rows);
  }

  embeddingRow(w: Matrix, row: number, out: Float32Array): void {
    cpuKernels.embeddingRow(w, row, out);
  }

  rmsNorm(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array): void {
    if (this.closed) return cpuKernels.rmsNorm(x, weight, eps, out);
    const n = x.length;
    atLeast("rmsNorm", "weight", n, weight.length);
    atLeast("rmsNorm", "output", n, out.length);
    const xm = this.input(x);
    const wm = this.input(weight, n);
    const om = this.mirror(out);
    this.launch("rms_norm", 1, THREADS, [xm.ptr, wm.ptr, om.ptr, n, eps]);
    this.output(out, om, n);
  }

  layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number, out: Float32Array): void {
    if (this.closed) return cpuKernels.layerNorm(x, weight, bias, eps, out);
    const n = x.length;
    atLeast("layerNorm", "weight", n, weight.length);
    atLeast("layerNorm", "bias", n, bias.length);
    atLeast("layerNorm", "output", n, out.length);
    const xm = this.input(x);
    const wm = this.input(weight, n);
    const bm = this.input(bias, n);
    const om = this.mirror(out);
    this.launch("layer_norm", 1, THREADS, [xm.ptr, wm.ptr, bm.ptr, om.ptr, n, eps]);
    this.output(out, om, n);
  }

  private rotate(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies, adjacent: boolean): void {
    const n = heads * headDim;
    atLeast("rope", "x", n, x.length);
    const half = headDim / 2;
    const table = this.scratchAt("rope", half * 16);
    const key = `${position} ${headDim} ${freqs.key}`;
    if (key !== this.ropeKey) {
      this.upload(table, ropeTable(freqs, position));
      this.ropeKey = key;
    }
    const xm = this.input(x, n);
    this.launch("rope", Math.ceil((heads * half) / THREADS), THREADS, [xm.ptr, heads, headDim, table, adjacent ? 1 : 0]);
    this.output(x, xm, n);
  }

  rope(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void {
    if (this.closed || headDim % 2 !== 0 || heads * headDim === 0) return cpuKernels.rope(x, heads, headDim, position, freqs);
    this.rotate(x, heads, headDim, position, freqs, false);
  }

  ropeAdjacent(x: Float32Array, heads: number, headDim: number, position: number, freqs: RopeFrequencies): void {
    if (headDim % 2 !== 0) throw new RefuteError("KERNEL_SHAPE", `ropeAdjacent: headDim ${headDim} is odd`, { expected: "even", found: headDim });
    if (this.closed) throw new RefuteError("CUDA_CLOSED", "ropeAdjacent: the CUDA backend was closed (the CPU reference has no adjacent-pair RoPE)", {});
    if (heads * headDim > 0) this.rotate(x, heads, headDim, position, freqs, true);
  }

  attention(q: Float32Array, keys: Float32Array, values: Float32Array, length: number, shape: AttentionShape, out: Float32Array): void {
    const { heads, kvHeads, headDim } = shape;
    if (this.closed || heads % kvHeads !== 0 || length <= 0 || headDim <= 0) return cpuKernels.attention(q, keys, values, length, shape, out);
    const kvWidth = kvHeads * headDim;
    atLeast("attention", "q", heads * headDim, q.length);
    atLeast("attention", "keys", length * kvWidth, keys.length);
    atLeast("attention", "values", length * kvWidth, values.length);
    atLeast("attention", "output", heads * headDim, out.length);
    const qm = this.input(q, heads * headDim);
    const km = this.input(keys, length * kvWidth);
    const vm = this.input(values, length * kvWidth);
    const scores = this.scratchAt("scores", heads * length * 4);
    const om = this.mirror(out);
    this.launch("attention", heads, THREADS, [qm.ptr, km.ptr, vm.ptr, length, heads, kvHeads, headDim, 1 / Math.sqrt(headDim), scores, om.ptr]);
    this.output(out, om, heads * headDim);
  }

  softmax(x: Float32Array, n: number): void {
    if (this.closed || n <= 0) return cpuKernels.softmax(x, n);
    atLeast("softmax", "x", n, x.length);
    const xm = this.input(x, n);
    this.launch("softmax", 1, WIDE, [xm.ptr, n]);
    this.output(x, xm, n);
  }

  argmax(x: Float32Array): number {
    if (this.closed || x.length === 0) return cpuKernels.argmax(x);
    const xm = this.input(x);
    const at = this.scratchAt("argmax", 4);
    this.launch("argmax", 1, WIDE, [xm.ptr, x.length, at]);
    this.download(this.index, at);
    return this.index[0];
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.cuda.close();
      this.counters.deviceBytes = 0;
    }
    return Promise.resolve();
  }
}

/**
 * The CUDA backend on device `options.device` (default 0). Throws CUDA_UNAVAILABLE ("blocked: no
 * CUDA device (reason)") where the driver library is missing or finds no device.
 */
export function createCudaKernels(options: CudaKernelsOptions = {}): CudaKernels {
  const cuda = CudaContext.create({ library: options.library, device: options.device });
  try {
    const ptx = options.ptx ?? readFileSync(PTX_URL, "utf8");
    const functions = cuda.loadModule(ptx, Object.keys(KERNEL_SIGNATURES));
    return new CudaBackend(cuda, functions);
  } catch (e) {
    cuda.close();
    throw e;
  }
}
