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
// ctl: [0] generation (-1: stop), [1] threads done, [2 + i] thread i's sum
const WORKER = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctl: ctlBuffer, index, from, to } = workerData;
const sum = new WebAssembly.Instance(module, { env: { memory } }).exports.sum;
const ctl = new Int32Array(ctlBuffer);
for (let seen = 0; ; ) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (seen < 0) break;
  ctl[2 + index] = sum(from, to);
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}`;

export interface StreamBandwidth {
  threads: number;
  /** bytes of the region, all of it read by each pass */
  bytes: number;
  /** the best pass, in GB/s (10^9 bytes a second) */
  gbps: number;
  samplesGBps: number[];
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

/** Streams `mib` MiB on `threads` threads: one unmeasured pass, then `passes` timed ones. */
export async function measureStreamBandwidth(threads: number, mib = 256, passes = 5): Promise<StreamBandwidth> {
  const bytes = Math.floor((mib * 2 ** 20) / STEP) * STEP;
  const pages = Math.ceil(bytes / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const words = new Uint32Array(memory.buffer, 0, bytes / 4);
  for (let i = 0; i < words.length; i++) words[i] = i;
  const module = new WebAssembly.Module(await assembleWat(STREAM_WAT, "stream.wat"));
  const sum = (new WebAssembly.Instance(module, { env: { memory } }).exports as { sum: (from: number, to: number) => number }).sum;
  const ctlBuffer = new SharedArrayBuffer(4 * (2 + threads));
  const ctl = new Int32Array(ctlBuffer);
  const shares = streamShares(bytes, threads);
  const workers = shares.slice(1).map(([from, to], i) => new Worker(WORKER, { eval: true, workerData: { module, memory, ctl: ctlBuffer, index: i + 1, from, to } }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once("online", resolve).once("error", reject))));
  const pass = (): number => {
    Atomics.store(ctl, 1, 0);
    const started = performance.now();
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    ctl[2] = sum(shares[0][0], shares[0][1]);
    for (let done = Atomics.load(ctl, 1); done !== workers.length; done = Atomics.load(ctl, 1)) Atomics.wait(ctl, 1, done, 1000);
    const ms = performance.now() - started;
    shares.forEach(([from, to], i) => {
      const expected = indexSum(from / 4, to / 4);
      if (ctl[2 + i] !== expected) throw new RefuteError("STREAM_SUM", `stream bandwidth: thread ${i} read back ${ctl[2 + i]} over bytes [${from}, ${to}), the region holds ${expected}`, { expected, found: ctl[2 + i] });
    });
    return bytes / ms / 1e6;
  };
  try {
    pass();
    const samplesGBps = Array.from({ length: passes }, pass);
    return { threads, bytes, gbps: Math.max(...samplesGBps), samplesGBps };
  } finally {
    Atomics.store(ctl, 0, -1);
    Atomics.notify(ctl, 0);
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
  }
}
