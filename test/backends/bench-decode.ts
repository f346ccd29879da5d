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

function msPerToken(model: LoadedModel, kernels: Kernels, prompt: number, steps: number, budgetMs: number): number {
  const session = new Session(model, kernels, prompt + steps + 1);
  for (let i = 0; i < prompt; i++) session.step(i % model.arch.vocabSize, false);
  let token = 1;
  const start = performance.now();
  let done = 0;
  for (; done < steps; done++) {
    token = kernels.argmax(session.step(token) as Float32Array);
    if (performance.now() - start > budgetMs) {
      done++;
      break;
    }
  }
  return (performance.now() - start) / done;
}

const threads = Number(process.argv[2] ?? 2);
const wasm1 = await createWasmKernels({ threads: 1 });
const wasmN = await createWasmKernels({ threads });
const rows: string[] = [];
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
    rows.push(`${name}: not run (${(e as Error).message.split("\n")[0]})`);
    continue;
  }
  const big = model.arch.hidden > 256;
  const [steps, budget] = big ? [16, 4000] : [200, 1500];
  msPerToken(model, wasmN, 4, 4, 2000); // warm-up (uploads weights)
  msPerToken(model, wasm1, 4, 4, 2000);
  const ts = msPerToken(model, cpuKernels, 8, steps, budget);
  const w1 = msPerToken(model, wasm1, 8, steps, budget);
  const wn = msPerToken(model, wasmN, 8, steps, budget);
  const line = `${name}: cpu-ts ${ts.toFixed(3)} ms/token, cpu-wasm 1 thread ${w1.toFixed(3)}, ${threads} threads ${wn.toFixed(3)} (x${(ts / wn).toFixed(1)})`;
  console.log(line);
  rows.push(line);
}
await wasm1.close();
await wasmN.close();
