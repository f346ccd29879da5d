// Worker threads sharing the backend's one WebAssembly.Memory. A task is one kernel export
// over a range (rows of a matrix, heads of attention), cut into chunks that the threads claim
// one at a time with a compare-and-swap; the main thread claims too. So a worker that the OS
// has not scheduled (2 cores shared with other work) costs nothing: the main thread takes its
// chunks, and waits only for chunks already being computed. The hand-off is a spin on a
// generation counter, bounded in time; a thread that saw no task for `spinMicros` sleeps in
// Atomics.wait, so an idle backend costs no CPU. Workers are unref'd while idle: an unclosed
// pool never keeps a process alive.
//
// Control block: Int32 words at byte 0 of the memory (LAYOUT). ARGS holds the export's i32
// arguments with the full range at ARGS[SPLIT_AT], ARGS[SPLIT_AT + 1]; chunk c of C covers
// [from + floor(total*c/C), from + floor(total*(c+1)/C)). CLAIM = (generation << CHUNK_BITS) |
// next unclaimed chunk; DONE counts finished chunks.

import { Worker } from "node:worker_threads";
import { RefuteError } from "../../../core/errors.ts";
import { POOL_OPS, type PoolOp } from "./module.ts";

const CHUNK_BITS = 12;
const GEN_MASK = (1 << (32 - CHUNK_BITS)) - 1;
const LAYOUT = {
  words: 64,
  GEN: 0,
  CLAIM: 1,
  DONE: 2,
  OP: 3,
  SLEEPERS: 4,
  MAIN_WAITING: 5,
  CHUNKS: 6,
  SPLIT_AT: 7,
  SCRATCH_STRIDE: 8,
  NARGS: 9,
  ARGS: 16,
  CHUNK_BITS,
  GEN_MASK,
} as const;
const MAX_ARGS = LAYOUT.words - LAYOUT.ARGS;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

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
   * Runs export `op` with `args`, its range [args[splitAt], args[splitAt+1]) cut into `chunks`
   * claimed by all threads (when `parallel`, else run whole on the main thread). With
   * scratchStride, each thread's last argument (a scratch buffer) is offset by thread index *
   * scratchStride bytes. By default one chunk per thread: each claim and each count of a done
   * chunk is an atomic on a line the other threads read, and a decoding step runs some 120
   * short tasks (on AMD EPYC, two threads: Q4_0 decoding 250 t/s with four chunks per thread,
   * 290 with one); a long task whose rows cost unevenly asks for more.
   */
  run(op: PoolOp, args: number[], splitAt: number, parallel: boolean, chunks = this.threads, scratchStride = 0): void {
    const fn = this.exports[op];
    const from = args[splitAt];
    const total = args[splitAt + 1] - from;
    chunks = Math.min(chunks, total, CHUNK_MASK);
    if (!parallel || this.workers.length === 0 || this.closed || chunks < 2) {
      fn(...args);
      return;
    }
    if (args.length > MAX_ARGS) throw new RefuteError("WASM_POOL", `${op}: ${args.length} arguments, the control block holds ${MAX_ARGS}`);
    const ctl = this.ctl;
    const gen = (ctl[LAYOUT.GEN] + 1) | 0;
    // Close the previous task's claim word before its parameters are overwritten: a worker that
    // saw the previous generation late may be reading them now, and with the old word (its tag,
    // every chunk taken) and a new, larger chunk count it would claim a chunk that is not there,
    // run it on half-written arguments and count it into this task's DONE, which then passes
    // `chunks` and never equals it (a hang under load). The new tag with every chunk taken turns
    // such a worker away until the task is published.
    Atomics.store(ctl, LAYOUT.CLAIM, ((gen & GEN_MASK) << CHUNK_BITS) | CHUNK_MASK);
    ctl[LAYOUT.OP] = POOL_OPS.indexOf(op);
    ctl[LAYOUT.CHUNKS] = chunks;
    ctl[LAYOUT.SPLIT_AT] = splitAt;
    ctl[LAYOUT.SCRATCH_STRIDE] = scratchStride;
    ctl[LAYOUT.NARGS] = args.length;
    for (let i = 0; i < args.length; i++) ctl[LAYOUT.ARGS + i] = args[i];
    Atomics.store(ctl, LAYOUT.DONE, 0);
    Atomics.store(ctl, LAYOUT.CLAIM, (gen & GEN_MASK) << CHUNK_BITS);
    Atomics.store(ctl, LAYOUT.GEN, gen);
    if (Atomics.load(ctl, LAYOUT.SLEEPERS) > 0) Atomics.notify(ctl, LAYOUT.GEN);
    // the main thread claims chunks too (as thread 0)
    const own = args.slice();
    for (;;) {
      const word = Atomics.load(ctl, LAYOUT.CLAIM);
      const chunk = word & CHUNK_MASK;
      if (chunk >= chunks) break;
      if (Atomics.compareExchange(ctl, LAYOUT.CLAIM, word, word + 1) !== word) continue;
      own[splitAt] = from + Math.floor((total * chunk) / chunks);
      own[splitAt + 1] = from + Math.floor((total * (chunk + 1)) / chunks);
      fn(...own);
      Atomics.add(ctl, LAYOUT.DONE, 1);
    }
    this.waitForChunks(chunks);
  }

  /** Waits until every chunk is done: the remaining ones are being computed by workers. */
  private waitForChunks(chunks: number): void {
    const ctl = this.ctl;
    if (Atomics.load(ctl, LAYOUT.DONE) === chunks) return;
    const start = performance.now();
    for (let spins = 0; Atomics.load(ctl, LAYOUT.DONE) !== chunks; spins++) {
      if ((spins & 1023) === 1023 && performance.now() - start > this.spinMicros / 1000) break;
    }
    Atomics.store(ctl, LAYOUT.MAIN_WAITING, 1);
    for (let d = Atomics.load(ctl, LAYOUT.DONE); d !== chunks; d = Atomics.load(ctl, LAYOUT.DONE)) Atomics.wait(ctl, LAYOUT.DONE, d, 50);
    Atomics.store(ctl, LAYOUT.MAIN_WAITING, 0);
  }

  /** How many workers are asleep in Atomics.wait now (all of them, once idle past the spin). */
  sleepingWorkers(): number {
    return Atomics.load(this.ctl, LAYOUT.SLEEPERS);
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
