// Decode speed of the CUDA backend against the CPU backends: tokens per second of Session.step
// (one token at a time over a KV cache, argmax in between) on a SmolLM-135M-shaped random model
// (seed claim F-PERF-003: the GPU is faster than the CPU there) and on the zoo, with what crossed
// the bus per token. A benchmark, not a test; run by scripts/gpu/run-on-gpu.sh.
//   npx tsx scripts/gpu/bench-cuda.ts [--out bench.json] [--steps 16] [--rounds 3] [--models all|zoo|smollm]
//   [--library path]: another libcuda (test/backends/cuda-mock-driver.c checks the plumbing; its times mean nothing)
// Without a device it writes verdict "blocked" with the reason and exits 3.

import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { writeAtomicSync } from "../../core/atomic-write.ts";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import { createCudaKernels, probeCuda, type CudaKernels } from "../../engine/backends/cuda/backend.ts";
import type { Kernels } from "../../engine/backends/kernels.ts";
import { createWasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { prepareSource } from "../../engine/convert.ts";
import { Session, type LoadedModel } from "../../engine/generate/session.ts";
import { buildWeights } from "../../engine/model/weights.ts";
import { SMOLLM_135M, randomModel } from "../../test/backends/random-model.ts";

const { values: args } = parseArgs({
  options: { out: { type: "string" }, steps: { type: "string" }, rounds: { type: "string" }, prompt: { type: "string" }, models: { type: "string" }, library: { type: "string" } },
});
const MODELS = args.models ?? "all";
const STEPS = Number(args.steps ?? 16);
const ROUNDS = Number(args.rounds ?? 3);
const PROMPT = Number(args.prompt ?? 16);

interface Timing {
  backend: string;
  msPerToken: number; // median of the rounds
  bestMsPerToken: number;
  tokensPerSecond: number;
  perToken?: { launches: number; uploads: number; uploadBytes: number; downloads: number; downloadBytes: number };
}

function write(result: unknown): void {
  const text = JSON.stringify(result, null, 2);
  if (args.out) writeAtomicSync(args.out, text + "\n");
}

const probe = probeCuda(args.library);
if (!probe.available) {
  console.log(`bench-cuda: blocked: no CUDA device (${probe.reason})`);
  write({ verdict: "blocked", reason: probe.reason });
  process.exit(3);
}

/** Prefill `PROMPT` tokens, then ROUNDS rounds of STEPS greedy tokens; median and best ms per token. */
function decode(model: LoadedModel, kernels: Kernels, steps = STEPS, rounds = ROUNDS): Timing {
  const session = new Session(model, kernels, PROMPT + steps * rounds + 1);
  for (let i = 0; i < PROMPT; i++) session.step((i * 7) % model.arch.vocabSize, false);
  let token = 1;
  const times: number[] = [];
  const cuda = kernels.name === "cuda" ? (kernels as CudaKernels) : null;
  const before = cuda?.traffic();
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < steps; i++) token = kernels.argmax(session.step(token) as Float32Array);
    times.push((performance.now() - start) / steps);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const timing: Timing = { backend: kernels.name, msPerToken: median, bestMsPerToken: times[0], tokensPerSecond: 1000 / median };
  if (cuda && before) {
    const after = cuda.traffic();
    const n = steps * rounds;
    timing.perToken = {
      launches: (after.launches - before.launches) / n,
      uploads: (after.uploads - before.uploads) / n,
      uploadBytes: (after.uploadBytes - before.uploadBytes) / n,
      downloads: (after.downloads - before.downloads) / n,
      downloadBytes: (after.downloadBytes - before.downloadBytes) / n,
    };
  }
  return timing;
}

const threads = availableParallelism();
const cuda = createCudaKernels({ library: args.library });
const wasm = await createWasmKernels({ threads });
console.log(`bench-cuda: ${cuda.deviceName} (driver ${cuda.driverVersion}) against cpu-wasm with ${threads} threads and cpu-ts; prompt ${PROMPT}, ${ROUNDS} rounds of ${STEPS} tokens`);

const cases: [string, () => LoadedModel, boolean][] = [];
for (const slug of MODELS === "smollm" ? [] : ["tiny-llama", "tiny-qwen2", "tiny-gpt2"]) {
  for (const quant of ["f32", "q8_0"]) {
    cases.push([`${slug} ${quant}`, () => {
      const source = prepareSource(slug, "native", quant);
      return { arch: source.arch, weights: buildWeights(source.arch, source.tensors) };
    }, false]);
  }
}
for (const quant of MODELS === "zoo" ? [] : (["f32", "q8_0"] as const)) cases.push([`smollm-135m-shaped ${quant}`, () => randomModel(SMOLLM_135M, quant), true]);

const results: { model: string; timings: Timing[]; ratio: number }[] = [];
for (const [name, load, big] of cases) {
  const t0 = performance.now();
  const model = load();
  const loadMs = performance.now() - t0;
  decode(model, cuda, 2, 1); // warm-up: weights uploaded, code optimized
  decode(model, wasm, 2, 1);
  const timings = [decode(model, cuda), decode(model, wasm), decode(model, cpuKernels, big ? 2 : STEPS, big ? 1 : ROUNDS)];
  const ratio = timings[1].msPerToken / timings[0].msPerToken;
  results.push({ model: name, timings, ratio });
  const fmt = (t: Timing) => `${t.backend} ${t.tokensPerSecond.toFixed(1)} tok/s (${t.msPerToken.toFixed(3)} ms, best ${t.bestMsPerToken.toFixed(3)})`;
  console.log(`${name}: ${timings.map(fmt).join(" | ")} | cuda/cpu-wasm speed-up ${ratio.toFixed(2)}x (model built in ${(loadMs / 1000).toFixed(1)} s)`);
  const per = timings[0].perToken;
  if (per) console.log(`  cuda per token: ${per.launches.toFixed(0)} launches, ${per.uploads.toFixed(0)} uploads (${(per.uploadBytes / 1024).toFixed(1)} KiB), ${per.downloads.toFixed(0)} downloads (${(per.downloadBytes / 1024).toFixed(1)} KiB)`);
}

// F-PERF-003: on the SmolLM-135M shape the GPU decodes faster than the CPU
const perf = results.filter((r) => r.model.startsWith("smollm"));
const verdict = perf.length === 0 ? "not run" : perf.every((r) => r.ratio > 1) ? "corroborated" : "falsified";
console.log(`F-PERF-003 (cuda faster than cpu-wasm on SmolLM-135M shape): ${verdict} (${perf.map((r) => `${r.model} ${r.ratio.toFixed(2)}x`).join(", ")})`);
write({ device: cuda.deviceName, driverVersion: cuda.driverVersion, threads, prompt: PROMPT, steps: STEPS, rounds: ROUNDS, results, claims: { "F-PERF-003": { verdict, ratios: perf.map((r) => ({ model: r.model, ratio: r.ratio })) } } });
await wasm.close();
await cuda.close();
