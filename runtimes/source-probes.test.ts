import { describe, expect, it } from "vitest";
import { prepareSource } from "../engine/convert.ts";
import { FAULT_HOOKS } from "./fault-hooks.ts";
import { sameSource, sourceProbes } from "./source-probes.ts";

describe("source probes", () => {
  it("return the very source they are given and say which faults' transforms would change it", () => {
    const f32 = prepareSource("tiny-llama", "safetensors", "f32");
    const effects = new Map<string, boolean>();
    const probes = sourceProbes((fault, changed) => effects.set(fault, changed));
    expect(probes.quantizedSource(f32)).toBe(f32);
    expect(effects.get("q8-scale-bf16")).toBe(false); // no Q8_0 block in an F32 source
    expect(effects.get("q4-nibble-order-swapped")).toBe(false);
    const q8 = prepareSource("tiny-llama", "safetensors", "q8_0");
    probes.quantizedSource(q8);
    expect(effects.get("q8-scale-bf16")).toBe(true);
    expect(probes.loadedSource(f32)).toBe(f32);
    expect(effects.get("embedding-transposed")).toBe(true);
    expect(effects.get("qkv-bias-dropped")).toBe(false); // llama has no q/k/v biases
  });

  it("sameSource: equal bytes are the same source, one changed byte is not", () => {
    const a = prepareSource("tiny-qwen2", "safetensors", "q8_0");
    const b = prepareSource("tiny-qwen2", "safetensors", "q8_0");
    expect(sameSource(a, b)).toBe(true);
    const changed = FAULT_HOOKS["q8-scale-bf16"].quantizedSource!(a);
    expect(sameSource(a, changed)).toBe(false);
    expect(sameSource(a, FAULT_HOOKS["qkv-bias-dropped"].loadedSource!(a))).toBe(false); // qwen2 has them
  });
});
