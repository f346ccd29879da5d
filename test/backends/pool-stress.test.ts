// The cpu-wasm thread pool's hand-off under preemption (engine/backends/wasm/pool.ts): a worker
// that saw a task late once claimed a chunk of the next task from the closed claim word of the
// previous one, counted it into the next task's DONE and left the main thread waiting forever
// (a gates run stuck idle at its second check; pool-stress.ts hung within 300,000 tasks, about
// 2 s, before the fix, and 1,500,000 hung 4 times of 4). 1,500,000 tasks must finish, every result bit-identical.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("1,500,000 pooled products with a preempted worker finish, and every result is the first run's", () => {
  const script = fileURLToPath(new URL("./pool-stress.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", script, "1500000"], { encoding: "utf8", timeout: 60_000 });
  expect(run.error, "the pool hung: killed after 60 s").toBeUndefined();
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim()).toBe("tasks 1500000 wrong 0");
}, 120_000);
