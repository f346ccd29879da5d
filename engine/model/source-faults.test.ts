// Loader bugs survive every format the model is written to afterwards, as the bug in a real
// converter would: the weights carry it, not a flag that a reimport forgets.

import { describe, expect, it } from "vitest";
import { prepareSource } from "../convert.ts";
import { OUTPUT, TOKEN_EMBEDDING } from "./names.ts";
import { qkvBiasesDropped, untiedHeadAsTied } from "./source-faults.ts";

const bytesOf = (source: ReturnType<typeof prepareSource>, name: string) => Buffer.from(source.tensors.get(name)?.data ?? []);

describe("untiedHeadAsTied on tiny-qwen2 (untied head)", () => {
  it.each(["safetensors", "native", "gguf", "roundtrip"])("%s: the head holds the embedding's values", (format) => {
    const faulty = prepareSource("tiny-qwen2", format, "q8_0", { loadedSource: untiedHeadAsTied });
    expect(faulty.arch.tiedEmbeddings).toBe(false);
    expect(bytesOf(faulty, OUTPUT).equals(bytesOf(faulty, TOKEN_EMBEDDING))).toBe(true);
    const clean = prepareSource("tiny-qwen2", format, "q8_0");
    expect(bytesOf(clean, OUTPUT).equals(bytesOf(clean, TOKEN_EMBEDDING))).toBe(false);
  });
});

it("qkvBiasesDropped zeroes the q, k and v biases and nothing else", () => {
  const clean = prepareSource("tiny-gpt2", "safetensors", "f32");
  const faulty = prepareSource("tiny-gpt2", "safetensors", "f32", { loadedSource: qkvBiasesDropped });
  for (const [name, t] of clean.tensors) {
    const data = bytesOf(faulty, name);
    if (/attn_[qkv]\.bias$/.test(name)) {
      expect(data.length > 0 && data.every((b) => b === 0), name).toBe(true);
      expect(t.data.some((b) => b !== 0), name).toBe(true);
    } else expect(data.equals(t.data), name).toBe(true);
  }
});
