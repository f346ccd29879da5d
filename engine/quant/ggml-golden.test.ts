// Bit-compatibility with llama.cpp: the bytes and dot products this folder produces on a fixed
// input must hash to what ggml's own reference functions produced (testing/ggml-golden.json).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dequantizeRowQ4_K, quantizeRowQ4_K, vecDotQ4KQ8K } from "./q4_k.ts";
import { dequantizeRowQ6_K, quantizeRowQ6_K, vecDotQ6KQ8K } from "./q6_k.ts";
import { quantizeRowQ4_0, vecDotQ4_0Q8_0 } from "./q4_0.ts";
import { quantizeRowQ8_0, vecDotQ8_0Q8_0 } from "./q8_0.ts";
import { quantizeRowQ8_K } from "./q8_k.ts";
import { GOLDEN_COLS, GOLDEN_ROWS, goldenInput } from "./testing/golden-input.ts";

const golden = JSON.parse(readFileSync(new URL("./testing/ggml-golden.json", import.meta.url), "utf8")) as { sha256: Record<string, string> };

function ours(): Record<string, Uint8Array[]> {
  const { weights, activations } = goldenInput();
  const out: Record<string, Uint8Array[]> = {};
  const add = (name: string, bytes: Uint8Array) => (out[name] ??= []).push(bytes);
  for (let r = 0; r < GOLDEN_ROWS; r++) {
    const x = weights.subarray(r * GOLDEN_COLS, (r + 1) * GOLDEN_COLS);
    const y = activations.subarray(r * GOLDEN_COLS, (r + 1) * GOLDEN_COLS);
    const q80 = quantizeRowQ8_0(x);
    const q40 = quantizeRowQ4_0(x);
    const q4k = quantizeRowQ4_K(x);
    const q6k = quantizeRowQ6_K(x);
    const a80 = quantizeRowQ8_0(y);
    const a8k = quantizeRowQ8_K(y);
    add("q8_0.bin", q80);
    add("q4_0.bin", q40);
    add("q4_k.bin", q4k);
    add("q6_k.bin", q6k);
    add("a_q8_0.bin", a80);
    add("a_q8_k.bin", a8k);
    add("deq_q4_k.bin", new Uint8Array(dequantizeRowQ4_K(q4k).buffer));
    add("deq_q6_k.bin", new Uint8Array(dequantizeRowQ6_K(q6k).buffer));
    const dots = new Float32Array([vecDotQ8_0Q8_0(q80, a80), vecDotQ4_0Q8_0(q40, a80), vecDotQ4KQ8K(q4k, a8k), vecDotQ6KQ8K(q6k, a8k)]);
    add("dots.bin", new Uint8Array(dots.buffer));
  }
  return out;
}

describe("bit-compatibility with ggml's reference quantizers and generic dot products", () => {
  const produced = ours();
  for (const [name, expected] of Object.entries(golden.sha256)) {
    it(`${name} hashes to ggml's ${expected.slice(0, 12)}…`, () => {
      const hash = createHash("sha256");
      for (const part of produced[name]) hash.update(part);
      expect(hash.digest("hex")).toBe(expected);
    });
  }
});
