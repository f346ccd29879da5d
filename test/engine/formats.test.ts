// SafeTensors -> native -> GGUF -> reimported native changes nothing: for every zoo model and
// quantization, the reimported tensors are byte-identical to the native ones and the greedy
// tokens on the four oracle prompts are the same.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareSource, throughGguf, throughNative } from "../../engine/convert.ts";
import { REPO_ROOT } from "../../engine/load.ts";
import { EngineModel } from "../../engine/model.ts";

const PROMPTS = ["arithmetic", "completion", "code", "greeting"].map((p) => readFileSync(join(REPO_ROOT, "oracle", "prompts", `${p}.txt`), "utf8"));
const CASES = ["tiny-llama", "tiny-qwen2", "tiny-gpt2"].flatMap((model) => ["f32", "q8_0", "q4_0", "q4_k"].map((quant) => [model, quant] as const));

describe("native -> GGUF -> native round trip", () => {
  it.each(CASES)("%s %s: byte-identical tensors, identical greedy tokens", (model, quant) => {
    const native = prepareSource(model, "native", quant);
    const back = throughNative(throughGguf(native, model, quant), quant);
    expect([...back.tensors.keys()].sort()).toEqual([...native.tensors.keys()].sort());
    for (const [name, t] of native.tensors) {
      const r = back.tensors.get(name)!;
      expect({ name, dtype: r.dtype, shape: r.shape }).toEqual({ name, dtype: t.dtype, shape: t.shape });
      expect(Buffer.compare(Buffer.from(r.data), Buffer.from(t.data)), `${name} bytes`).toBe(0);
    }
    const a = new EngineModel(native);
    const b = new EngineModel(back);
    for (const prompt of PROMPTS) expect(b.generate(prompt, 32, 0).tokens).toEqual(a.generate(prompt, 32, 0).tokens);
  });
});
