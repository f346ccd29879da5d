// The machine's streaming read bandwidth, measured the way the engine reads weights: WebAssembly
// SIMD loads on `threads` threads (the main thread and workers), each over its own share of a
// region well past the L3 cache. A memory-bound decoding step (bench/decode-bytes.ts: every
// weight read once a token) can stream no faster, nor can llama.cpp's on the same cores: this is
// the reference its t/s x bytes is a share of.
//
// Every word of the region is written first (an untouched page reads as the one zero page, from
// cache) with its own index, and each thread's pass returns the sum of its words modulo 2^32,
// checked against the sum of those indices: a pass that read less than its share fails.

import { Worker } from "node:worker_threads";
import { RefuteError } from "../core/errors.ts";
import { assembleWat } from "../engine/backends/wasm/module.ts";

const PAGE = 65536;
/** bytes a pass reads per loop: eight 16-byte loads; a share is a multiple of it */
const STEP = 128;
/** unmeasured passes first: tier-up, and the pages of the region mapped in */
const WARMUP_PASSES = 2;
/** a pass longer than this is a worker that failed (one core streams 256 MiB in some 10 ms) */
const PASS_LIMIT_MS = 60_000;

// sum(p, end): the i32 words of [p, end) summed modulo 2^32, eight loads into four accumulators
const STREAM_WAT = `(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "sum") (param $p i32) (param $end i32) (result i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (block $done (loop $loads
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $a (i32x4.add (local.get $a) (v128.load (local.get $p))))
      (local.set $b (i32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
      (local.set $c (i32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
      (local.set $d (i32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
      (local.set $a (i32x4.add (local.get $a) (v128.load offset=64 (local.get $p))))
      (local.set $b (i32x4.add (local.get $b) (v128.load offset=80 (local.get $p))))
      (local.set $c (i32x4.add (local.get $c) (v128.load offset=96 (local.get $p))))
      (local.set $d (i32x4.add (local.get $d) (v128.load offset=112 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const ${STEP})))
      (br $loads)))
    (local.set $a (i32x4.add (i32x4.add (local.get $a) (local.get $b)) (i32x4.add (local.get $c) (local.get $d))))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
      (i32.add (i32x4.extract_lane 2 (local.get $a)) (i32x4.extract_lane 3 (local.get $a))))))`;

// A worker: waits for the generation word to move, sums its share, stores the sum, counts itself done.
// ctl: [0] generation, [1] threads done, [2 + i] thread i's sum
const WORKER = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctl: ctlBuffer, index, from, to } = workerData;
const sum = new WebAssembly.Instance(module, { env: { memory } }).exports.sum;
const ctl = new Int32Array(ctlBuffer);
${shareSum.toString()}
for (let seen = 0; ; ) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  ctl[2 + index] = shareSum(sum, from, to);
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}`;

/** One measurement: the best of its passes, in GB/s (10^9 bytes a second), and every pass's. */
export interface StreamBandwidth {
  gbps: number;
  samplesGBps: number[];
}

/**
 * sum over [from, to) in calls of 1 MiB: a pass is many calls, so that V8 moves sum from its
 * baseline compiler's code to its optimizing compiler's within the warm-up (it tiers a function
 * up between calls, and a pass of one call each would give it two or three). The worker is given
 * this function's text: it names nothing outside.
 */
function shareSum(sum: (from: number, to: number) => number, from: number, to: number): number {
  let s = 0;
  for (let at = from; at < to; at += 1048576) s = (s + sum(at, Math.min(at + 1048576, to))) | 0;
  return s;
}

/** The sum modulo 2^32 (as a signed int32) of the words [from, to) of a region whose word i holds i. */
export function indexSum(from: number, to: number): number {
  const tri = (n: bigint) => (n * (n - 1n)) / 2n;
  return Number(BigInt.asIntN(32, tri(BigInt(to)) - tri(BigInt(from))));
}

/** The shares of `bytes` for `threads` threads: [from, to) byte ranges, each a multiple of STEP. */
export function streamShares(bytes: number, threads: number): [number, number][] {
  const steps = Math.floor(bytes / STEP);
  return Array.from({ length: threads }, (_, i) => [Math.floor((steps * i) / threads) * STEP, Math.floor((steps * (i + 1)) / threads) * STEP]);
}

/**
 * A region of `bytes` and its threads, kept between measurements (a bench measures once a round,
 * beside each runtime's repetitions, as the machine's bandwidth moves from minute to minute):
 * `measure` runs WARMUP_PASSES unmeasured passes, then `passes` timed ones.
 */
export class StreamReference {
  private constructor(
    readonly threads: number,
    readonly bytes: number,
    private readonly ctl: Int32Array,
    private readonly sum: (from: number, to: number) => number,
    private readonly shares: [number, number][],
    private readonly workers: Worker[],
  ) {}

  /** `mib` MiB (in whole 128-byte steps), written word by word with its index, and threads - 1 workers. */
  static async open(threads: number, mib = 256): Promise<StreamReference> {
    const bytes = Math.floor((mib * 2 ** 20) / STEP) * STEP;
    const pages = Math.ceil(bytes / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const words = new Uint32Array(memory.buffer, 0, bytes / 4);
    for (let i = 0; i < words.length; i++) words[i] = i;
    const module = new WebAssembly.Module(await assembleWat(STREAM_WAT, "stream.wat"));
    const sum = (new WebAssembly.Instance(module, { env: { memory } }).exports as { sum: (from: number, to: number) => number }).sum;
    const ctlBuffer = new SharedArrayBuffer(4 * (2 + threads));
    const shares = streamShares(bytes, threads);
    const workers = shares.slice(1).map(([from, to], i) => new Worker(WORKER, { eval: true, workerData: { module, memory, ctl: ctlBuffer, index: i + 1, from, to } }));
    const reference = new StreamReference(threads, bytes, new Int32Array(ctlBuffer), sum, shares, workers);
    try {
      await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once("online", resolve).once("error", reject))));
      // idle between measurements, they never keep the process alive (a bench that throws leaves them unclosed)
      for (const w of workers) w.unref();
    } catch (e) {
      await reference.close();
      throw e;
    }
    return reference;
  }

  measure(passes = 20): StreamBandwidth {
    for (let i = 0; i < WARMUP_PASSES; i++) this.pass();
    const samplesGBps = Array.from({ length: passes }, () => this.pass());
    return { gbps: Math.max(...samplesGBps), samplesGBps };
  }

  /** Terminates the workers (not a stop word and their exit events: a worker that already exited emits none again). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** One pass over the whole region, every thread's sum checked; its GB/s. */
  private pass(): number {
    const { ctl, workers, bytes, shares } = this;
    Atomics.store(ctl, 1, 0);
    const started = performance.now();
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    ctl[2] = shareSum(this.sum, shares[0][0], shares[0][1]);
    for (let done = Atomics.load(ctl, 1); done !== workers.length; done = Atomics.load(ctl, 1)) {
      // a worker that failed after starting never counts itself done (and its events wait for this loop to end)
      if (performance.now() - started > PASS_LIMIT_MS) throw new RefuteError("STREAM_PASS", `stream bandwidth: ${workers.length - done} of ${workers.length} workers did not finish a pass over ${bytes} bytes in ${PASS_LIMIT_MS / 1000} s`, { expected: workers.length, found: done });
      Atomics.wait(ctl, 1, done, 1000);
    }
    const ms = performance.now() - started;
    shares.forEach(([from, to], i) => {
      const expected = indexSum(from / 4, to / 4);
      if (ctl[2 + i] !== expected) throw new RefuteError("STREAM_PASS", `stream bandwidth: thread ${i} read back ${ctl[2 + i]} over bytes [${from}, ${to}), the region holds ${expected}`, { expected, found: ctl[2 + i] });
    });
    return bytes / ms / 1e6;
  }
}
