// The sampler against arithmetic: greedy is the argmax; a draw u picks the token whose
// cumulative probability interval holds u * (the kept mass); top_k and top_p cut the
// candidates as the API defines; a seed fixes the draws.

import { describe, expect, it } from "vitest";
import { mulberry32 } from "../core/mulberry32.ts";
import { drawToken, isGreedy, makeSampler } from "./sampler.ts";

// logits ln(0.5), ln(0.3), ln(0.2): probabilities 0.5, 0.3, 0.2 at temperature 1
const logits = new Float32Array([Math.log(0.3), Math.log(0.5), Math.log(0.2)]);
const argmax = (l: Float32Array) => l.indexOf(Math.max(...l));
const at = (p: Partial<Parameters<typeof drawToken>[1]>) => ({ temperature: 1, topK: 0, topP: 1, minP: 0, seed: 1, ...p });

describe("sampler", () => {
  it("is greedy at temperature 0 or top_k 1, whatever the seed", () => {
    expect(isGreedy(at({ temperature: 0 }))).toBe(true);
    expect(isGreedy(at({ topK: 1 }))).toBe(true);
    expect(makeSampler(at({ temperature: 0 }), argmax, () => 0)(logits)).toBe(1);
  });

  it("draws by cumulative probability, most likely first: 0.5 (id 1), 0.3 (id 0), 0.2 (id 2)", () => {
    expect(drawToken(logits, at({}), 0.49)).toBe(1);
    expect(drawToken(logits, at({}), 0.51)).toBe(0);
    expect(drawToken(logits, at({}), 0.79)).toBe(0);
    expect(drawToken(logits, at({}), 0.81)).toBe(2);
  });

  it("top_k 2 renormalises over the two most likely; top_p 0.6 keeps 0.5 + 0.3", () => {
    expect(drawToken(logits, at({ topK: 2 }), 0.99)).toBe(0);
    expect(drawToken(logits, at({ topP: 0.6 }), 0.99)).toBe(0);
    expect(drawToken(logits, at({ topP: 0.4 }), 0.99)).toBe(1); // 0.5 alone reaches 0.4
  });

  it("min_p 0.5 keeps the tokens at least half as likely as the most likely: 0.5 and 0.3", () => {
    expect(drawToken(logits, at({ minP: 0.5 }), 0.99)).toBe(0);
    expect(drawToken(logits, at({ minP: 0.7 }), 0.99)).toBe(1);
  });

  it("temperature 2 flattens: p ∝ sqrt(p), so 0.5 -> 0.415 and u = 0.45 falls on the second token", () => {
    expect(drawToken(logits, at({ temperature: 2 }), 0.45)).toBe(0);
    expect(drawToken(logits, at({ temperature: 1 }), 0.45)).toBe(1);
  });

  it("one seed, one sequence of draws; another seed, another", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(draws.every((u) => u >= 0 && u < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(draws[0]);
  });
});
