// One model in one fresh process, for bench/memory.ts: load it in the runtime named on the
// command line, decode a few tokens, and print the process's peak and current RSS as JSON.
// "none" loads nothing: the baseline of Node, tsx and both runtimes' code.
//
// usage: memory-child.ts <none|engine|llama.cpp> <gguf> <quant> <threads> <tokens> <backend>

import { readFileSync } from "node:fs";
import { EmbeddedRuntime } from "../runtimes/embedded.ts";
import { LlamacppRuntime } from "../runtimes/llamacpp.ts";
import type { Backend, Quant, SubjectSpec } from "../runtimes/runtime.ts";

const [which, file, quant, threads, tokens, backend] = process.argv.slice(2);
const spec = (runtime: SubjectSpec["runtime"]): SubjectSpec => ({ model: file, format: "gguf", quant: quant as Quant, backend: backend as Backend, runtime });
const request = { kind: "tg" as const, tokens: Number(tokens), reps: 1, warmup: 0 };

if (which === "engine") {
  const engine = new EmbeddedRuntime({ threads: Number(threads) });
  await engine.benchmark(spec("embedded"), request);
  // The loader's bytes, once the backend holds the weights: a buffer's memory goes back to the
  // system only after a second collection has run its finalizer.
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
  globalThis.gc?.();
  report();
  await engine.close();
} else if (which === "llama.cpp") {
  const llamacpp = new LlamacppRuntime({ threads: Number(threads), contextSize: Number(tokens) + 8 });
  await llamacpp.benchmark(spec("llamacpp"), request);
  report();
  await llamacpp.close();
} else {
  report();
}

// RSS now, then the peak: the kernel's high-water mark can lag the current RSS by a few pages,
// and a peak is never below what was just measured.
function report(): void {
  const rssBytes = process.memoryUsage().rss;
  const peakRssBytes = Math.max(processPeakRssBytes(), rssBytes);
  process.stdout.write(JSON.stringify({ peakRssBytes, rssBytes }) + "\n");
}

/**
 * This process's own peak RSS. On Linux that is VmHWM of /proc/self/status: getrusage's
 * ru_maxrss survives exec, so a child of a large process (the bench, holding a generated
 * model) would report the parent's RSS at the fork as its own peak. Elsewhere, ru_maxrss.
 */
function processPeakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux: no /proc
  }
  return process.resourceUsage().maxRSS * 1024;
}
