// The embedded engine as a subject. A spec is prepared once per runtime instance (model,
// format, quantization, backend, fault) and reused by every check that names it.

import type { Kernels } from "../engine/backends/kernels.ts";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import { prepareSource } from "../engine/convert.ts";
import { parseFault } from "../engine/faults.ts";
import { EngineModel } from "../engine/model.ts";
import { BlockedError, type Generation, type Perplexity, type Runtime, type SubjectSpec } from "./runtime.ts";

function kernelsFor(spec: SubjectSpec): Kernels {
  switch (spec.backend) {
    case "cpu":
    case "cpu-ts":
      return cpuKernels;
    case "cpu-wasm":
      throw new BlockedError("backend cpu-wasm: the WebAssembly backend is not part of this build");
    case "cuda":
      throw new BlockedError("backend cuda: no CUDA backend in this build (and no CUDA device on this machine)");
  }
}

function keyOf(spec: SubjectSpec): string {
  return JSON.stringify([spec.model, spec.format, spec.quant, spec.backend, spec.inject ?? null]);
}

export class EmbeddedRuntime implements Runtime {
  readonly name = "embedded" as const;
  private readonly models = new Map<string, EngineModel>();

  private model(spec: SubjectSpec): EngineModel {
    const key = keyOf(spec);
    let model = this.models.get(key);
    if (!model) {
      const fault = parseFault(spec.inject);
      const kernels = kernelsFor(spec);
      model = new EngineModel(prepareSource(spec.model, spec.format, spec.quant, fault), kernels, fault);
      this.models.set(key, model);
    }
    return model;
  }

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    return this.model(spec).tokenizer.encode(text);
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    const r = this.model(spec).generate(prompt, maxNewTokens, 10);
    return { promptTokens: r.promptTokens, tokens: r.tokens, text: r.text, topk: r.topk };
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    const r = this.model(spec).perplexity(text, window, stride);
    return { perplexity: r.perplexity, tokensScored: r.tokensScored, window: r.window, stride: r.stride };
  }

  async close(): Promise<void> {
    this.models.clear();
  }
}
