// Decode speed of the two CPU backends: milliseconds per token of Session.step over a short
// context, on the zoo models (when their weights are present) and on a SmolLM-135M-shaped
// random model. A benchmark, not a test: `npx tsx test/backends/bench-decode.ts [threads]`.

import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import type { Kernels } from "../../engine/backends/kernels.ts";
import { createWasmKernels } from "../../engine/backends/wasm/kernels.ts";
import { prepareSource } from "../../engine/convert.ts";
import { Session, type LoadedModel } from "../../engine/generate/session.ts";
import { buildWeights } from "../../engine/model/weights.ts";
import { SMOLLM_135M, randomModel } from "./random-model.ts";

/**
 * Decode time per token: the median and the best of `rounds` rounds of `steps` tokens each
 * (the best estimates the machine without the other work sharing its cores).
 */
function msPerToken(model: LoadedModel, kernels: Kernels, prompt: number, steps: number, rounds: number): { median: number; best: number } {
  const session = new Session(model, kernels, prompt + steps * rounds + 1);
  for (let i = 0; i < prompt; i++) session.step(i % model.arch.vocabSize, false);
  let token = 1;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < steps; i++) token = kernels.argmax(session.step(token) as Float32Array);
    times.push((performance.now() - start) / steps);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], best: times[0] };
}

const fmt = (t: { median: number; best: number }) => `${t.median.toFixed(3)} (best ${t.best.toFixed(3)})`;

const threads = Number(process.argv[2] ?? 2);
const wasm1 = await createWasmKernels({ threads: 1 });
const wasmN = await createWasmKernels({ threads });
const cases: [string, () => LoadedModel][] = [];
for (const slug of ["tiny-llama", "tiny-qwen2", "tiny-gpt2"]) {
  for (const quant of ["f32", "q8_0", "q4_0"]) {
    cases.push([`${slug} ${quant}`, () => {
      const source = prepareSource(slug, "safetensors", quant);
      return { arch: source.arch, weights: buildWeights(source.arch, source.tensors) };
    }]);
  }
}
for (const quant of ["f32", "q8_0", "q4_0"] as const) cases.push([`smollm-135m-shaped ${quant}`, () => randomModel(SMOLLM_135M, quant)]);
for (const [name, load] of cases) {
  let model: LoadedModel;
  try {
    model = load();
  } catch (e) {
    console.log(`${name}: not run (${(e as Error).message.split("\n")[0]})`);
    continue;
  }
  const big = model.arch.hidden > 256;
  const [steps, rounds] = big ? [4, 5] : [20, 10];
  msPerToken(model, wasmN, 4, 2, 1); // warm-up: weights uploaded, code optimized
  msPerToken(model, wasm1, 4, 2, 1);
  const ts = msPerToken(model, cpuKernels, 8, big ? 2 : steps, big ? 2 : rounds);
  const w1 = msPerToken(model, wasm1, 8, steps, rounds);
  const wn = msPerToken(model, wasmN, 8, steps, rounds);
  const line = `${name}: ms/token median (best) cpu-ts ${fmt(ts)} | cpu-wasm 1 thread ${fmt(w1)} | ${threads} threads ${fmt(wn)}`;
  console.log(line);
}
await wasm1.close();
await wasmN.close();
