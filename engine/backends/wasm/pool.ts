// Worker threads sharing the backend's one WebAssembly.Memory. A task is one kernel export
// over a range (rows of a matrix, heads of attention) that the main thread splits evenly:
// thread i of n takes [from + floor(total*i/n), from + floor(total*(i+1)/n)), the main thread
// is thread 0. The hand-off is a spin on a generation counter in the control block, bounded
// in time; a thread that saw no task for `spinMicros` sleeps in Atomics.wait, so an idle
// backend costs no CPU. Workers are unref'd: an unclosed pool never keeps a process alive.
//
// Control block: Int32 words at byte 0 of the memory (LAYOUT below); ARGS holds the export's
// i32 arguments with the full range at ARGS[SPLIT_AT], ARGS[SPLIT_AT + 1].

import { Worker } from "node:worker_threads";
import { RefuteError } from "../../errors.ts";
import { POOL_OPS, type PoolOp } from "./module.ts";

const LAYOUT = { words: 64, GEN: 0, PENDING: 1, OP: 2, SLEEPERS: 3, MAIN_WAITING: 4, THREADS: 5, SPLIT_AT: 6, SCRATCH_STRIDE: 7, NARGS: 8, ARGS: 16 } as const;
const MAX_ARGS = LAYOUT.words - LAYOUT.ARGS;

export interface PoolOptions {
  threads: number;
  /** how long an idle thread (worker, or the main thread waiting for workers) spins before sleeping */
  spinMicros: number;
}

export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private closed = false;

  private constructor(
    private readonly exports: Record<string, (...args: number[]) => unknown>,
    memory: WebAssembly.Memory,
    readonly threads: number,
    private readonly spinMicros: number,
  ) {
    this.ctl = new Int32Array(memory.buffer, 0, LAYOUT.words);
  }

  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: WebAssembly.Exports, options: PoolOptions): Promise<ThreadPool> {
    const pool = new ThreadPool(exports as Record<string, (...args: number[]) => unknown>, memory, options.threads, options.spinMicros);
    const online: Promise<void>[] = [];
    for (let index = 1; index < options.threads; index++) {
      const worker = new Worker(new URL("./worker.mjs", import.meta.url), {
        workerData: { module, memory, index, ops: POOL_OPS, layout: LAYOUT, spinMicros: options.spinMicros },
      });
      online.push(
        new Promise((resolve, reject) => {
          // referenced while starting (an unref'd worker would not keep the await alive), then unref'd
          worker.once("online", () => {
            worker.unref();
            resolve();
          });
          worker.once("error", reject);
        }),
      );
      pool.workers.push(worker);
    }
    await Promise.all(online);
    return pool;
  }

  /**
   * Runs export `op` with `args`, its range [args[splitAt], args[splitAt+1]) split across the
   * threads (all of them when `parallel`, else the main thread alone). With scratchStride, each
   * thread's last argument (a scratch buffer) is offset by thread index * scratchStride bytes.
   */
  run(op: PoolOp, args: number[], splitAt: number, parallel: boolean, scratchStride = 0): void {
    const fn = this.exports[op];
    if (!parallel || this.workers.length === 0 || this.closed) {
      fn(...args);
      return;
    }
    if (args.length > MAX_ARGS) throw new RefuteError("WASM_POOL", `${op}: ${args.length} arguments, the control block holds ${MAX_ARGS}`);
    const ctl = this.ctl;
    const n = this.threads;
    const from = args[splitAt];
    const total = args[splitAt + 1] - from;
    ctl[LAYOUT.OP] = POOL_OPS.indexOf(op);
    ctl[LAYOUT.THREADS] = n;
    ctl[LAYOUT.SPLIT_AT] = splitAt;
    ctl[LAYOUT.SCRATCH_STRIDE] = scratchStride;
    ctl[LAYOUT.NARGS] = args.length;
    for (let i = 0; i < args.length; i++) ctl[LAYOUT.ARGS + i] = args[i];
    Atomics.store(ctl, LAYOUT.PENDING, n - 1);
    Atomics.add(ctl, LAYOUT.GEN, 1);
    if (Atomics.load(ctl, LAYOUT.SLEEPERS) > 0) Atomics.notify(ctl, LAYOUT.GEN);
    // the main thread's share: thread 0
    const own = args.slice();
    own[splitAt + 1] = from + Math.floor(total / n);
    if (own[splitAt + 1] > own[splitAt]) fn(...own);
    this.waitForWorkers();
  }

  private waitForWorkers(): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, LAYOUT.PENDING) === 0) return;
    const start = performance.now();
    for (let spins = 0; Atomics.load(ctl, LAYOUT.PENDING) !== 0; spins++) {
      if ((spins & 1023) === 1023 && performance.now() - start > this.spinMicros / 1000) break;
    }
    Atomics.store(ctl, LAYOUT.MAIN_WAITING, 1);
    for (let p = Atomics.load(ctl, LAYOUT.PENDING); p !== 0; p = Atomics.load(ctl, LAYOUT.PENDING)) Atomics.wait(ctl, LAYOUT.PENDING, p, 50);
    Atomics.store(ctl, LAYOUT.MAIN_WAITING, 0);
  }

  /** Stops every worker and waits for them to exit; later tasks run on the main thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits = this.workers.map((w) => {
      w.ref();
      return new Promise<void>((resolve) => w.once("exit", () => resolve()));
    });
    this.ctl[LAYOUT.OP] = 0;
    Atomics.add(this.ctl, LAYOUT.GEN, 1);
    Atomics.notify(this.ctl, LAYOUT.GEN);
    await Promise.all(exits);
  }
}
