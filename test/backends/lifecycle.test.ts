// The cpu-wasm thread pool's life: no busy thread while idle (workers sleep after a bounded
// spin), close() stops the workers and the kernels keep working on the main thread, and a
// process that never calls close() still exits by itself.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createWasmKernels } from "../../engine/backends/wasm/kernels.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { gaussian } from "../../engine/backends/random-inputs.ts";

const w: Matrix = { kind: "f32", name: "w", rows: 128, cols: 128, data: gaussian(128 * 128, 1) };
const x = gaussian(128, 2);

describe("thread pool lifecycle", () => {
  it("an idle backend leaves no busy thread: after the bounded spin every worker sleeps in Atomics.wait", async () => {
    const k = await createWasmKernels({ threads: 3, minParallelBytes: 0, spinMicros: 200 });
    const out = new Float32Array(128);
    for (let i = 0; i < 20; i++) k.matvec(w, x, out, null);
    // the spin is 200 us; on a loaded machine a worker may wait to be scheduled, so poll
    const deadline = Date.now() + 5000;
    while (k.sleepingWorkers() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(k.sleepingWorkers(), "workers asleep after idling").toBe(2);
    // and a task wakes them: the product is still right
    const again = new Float32Array(128);
    k.matvec(w, x, again, null);
    expect(again).toEqual(out);
    await k.close();
  });

  it("close() stops the workers, twice is harmless, and the kernels then run on the main thread", async () => {
    const k = await createWasmKernels({ threads: 2, minParallelBytes: 0 });
    const before = new Float32Array(128);
    k.matvec(w, x, before, null);
    await k.close();
    await k.close();
    const after = new Float32Array(128);
    k.matvec(w, x, after, null);
    expect(after).toEqual(before);
  });

  it("a process that never calls close() exits by itself", () => {
    const script = fileURLToPath(new URL("./fixtures/exit-without-close.ts", import.meta.url));
    const child = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 20_000 });
    expect({ status: child.status, signal: child.signal, stdout: child.stdout.trim(), stderr: child.stderr.trim() }).toEqual({ status: 0, signal: null, stdout: "done true", stderr: "" });
  });
});
