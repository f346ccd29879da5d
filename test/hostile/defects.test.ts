// Regression tests of the hostile-file campaign's defects (issue 19), each named after it: the
// broken model is refused by `refute validate` (exit 1) and by `refute run` (exit 2) with the
// same code, fast and without a stack trace; --skip-contract runs it anyway, warning on stderr.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run as importCommand } from "../../cli/import.ts";
import { run as runCommand } from "../../cli/run.ts";
import { run as validateCommand } from "../../cli/validate.ts";
import { mutant, withValues } from "./mutant.ts";

async function outcome(command: typeof runCommand, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** validate and run on `dir`: both refuse, with `code` (and validate lists it); the elapsed seconds. */
async function refusedByBoth(dir: string, code: string): Promise<number> {
  const started = performance.now();
  const v = await outcome(validateCommand, [dir]);
  const r = await outcome(runCommand, ["--model", dir, "--prompt", "Once upon a time", "--max-new-tokens", "2"]);
  expect([v.code, r.code]).toEqual([1, 2]);
  expect(v.out).toContain(`[${code}]`);
  expect(r.err).toContain(`[${code}]`);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  return (performance.now() - started) / 1000;
}

describe("issue 19 defects", () => {
  it("D1: num_hidden_layers 2^31 - 1 is refused before anything is sized by it", async () => {
    const dir = mutant("tiny-llama", { config: (c) => (c.num_hidden_layers = 2147483647) });
    expect(await refusedByBoth(dir, "CONFIG_BAD_FIELD")).toBeLessThan(10);
  });

  it.each([
    ["an unterminated group", "("],
    ["nested repetition (exponential backtracking)", "(.*.*)*;"],
    ["Rust's named groups", "(?P<x>a)"],
    ["a possessive quantifier", "a++"],
    ["an atomic group", "(?>a)"],
    ["seven unbounded repetitions in a row", "a*a*a*a*a*a*a*;"],
  ])("D2: a Split pre-tokenizer regex with %s is refused by validate and run", async (_, regex) => {
    const dir = mutant("tiny-llama", { tokenizer: (t) => (t.pre_tokenizer = { type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false }) });
    expect(await refusedByBoth(dir, "TOKENIZER_UNSAFE_REGEX")).toBeLessThan(10);
  });

  it("D2: pre-tokenizer Sequences nested 20,000 deep are refused, not a stack overflow", async () => {
    // Written as text: JSON.stringify itself cannot nest that deep.
    const deep = `${'{"type":"Sequence","pretokenizers":['.repeat(20000)}{"type":"Digits","individual_digits":true}${"]}".repeat(20000)}`;
    const dir = mutant("tiny-llama", { tokenizer: (t) => (t.pre_tokenizer = "DEEP") });
    const file = join(dir, "tokenizer.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"DEEP"', deep));
    await refusedByBoth(dir, "TOKENIZER_TOO_DEEP");
  });

  it.each([
    ["NaN", "TENSOR_NAN", (v: Float32Array) => (v[7] = Number.NaN)],
    ["Inf", "TENSOR_INF", (v: Float32Array) => (v[7] = Number.POSITIVE_INFINITY)],
    ["all zero", "TENSOR_ALL_ZERO", (v: Float32Array) => v.fill(0)],
  ])("D4: a weight with %s is refused by run as by validate", async (_, code, change) => {
    const dir = mutant("tiny-llama", { tensors: (ts) => withValues(ts, "model.layers.1.mlp.down_proj.weight", change) });
    await refusedByBoth(dir, code);
  });

  it("D4: a token embedding 94.5% zeros is below the density floor", async () => {
    const dir = mutant("tiny-llama", { tensors: (ts) => withValues(ts, "model.embed_tokens.weight", (v) => v.fill(0, 0, Math.round(v.length * 0.945))) });
    await refusedByBoth(dir, "TENSOR_SPARSE_EMBEDDING");
  });

  it("D4: --skip-contract runs the NaN model anyway, and says so on stderr", async () => {
    const dir = mutant("tiny-llama", { tensors: (ts) => withValues(ts, "model.layers.1.mlp.down_proj.weight", (v) => (v[7] = Number.NaN)) });
    const r = await outcome(runCommand, ["--model", dir, "--prompt", "Once upon a time", "--max-new-tokens", "2", "--skip-contract"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: --skip-contract/);
  });

  it.each([
    ["3 of hidden 128 (a head of 42.67)", 3],
    ["10^9", 1e9],
  ])("D5: GPT-2 n_head %s is refused", async (_, heads) => {
    const dir = mutant("tiny-gpt2", { config: (c) => (c.n_head = heads) });
    expect(await refusedByBoth(dir, "CONFIG_BAD_FIELD")).toBeLessThan(10);
  });

  it("D6: a sharded index naming a missing shard is a coded error", async () => {
    const dir = mutant("tiny-llama", {});
    renameSync(join(dir, "model.safetensors"), join(dir, "model-00001-of-00002.safetensors"));
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: { "model.embed_tokens.weight": "model-00001-of-00002.safetensors", "lm_head.weight": "model-00002-of-00002.safetensors" } }));
    await refusedByBoth(dir, "SAFETENSORS_NOT_FOUND");
  });

  it("a tokenizer with ids the embedding has no row for is refused", async () => {
    const dir = mutant("tiny-llama", { tokenizer: (t) => ((t.added_tokens as unknown[]).push({ id: 1030, content: "<|beyond|>", special: true })) });
    await refusedByBoth(dir, "CONTRACT_VOCAB_MISMATCH");
  });

  it.each(["f32", "q8_0"])("import --quantize %s refuses NaN weights and a tokenizer the embedding cannot serve", async (quant) => {
    const nan = mutant("tiny-llama", { tensors: (ts) => withValues(ts, "model.layers.0.self_attn.q_proj.weight", (v) => (v[3] = Number.NaN)) });
    const beyond = mutant("tiny-llama", { tokenizer: (t) => ((t.added_tokens as unknown[]).push({ id: 1030, content: "<|beyond|>", special: true })) });
    for (const [dir, code] of [[nan, "TENSOR_NAN"], [beyond, "CONTRACT_VOCAB_MISMATCH"]]) {
      const r = await outcome(importCommand, [dir, "--quantize", quant, "-o", join(dir, "out.rft")]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`[${code}]`);
    }
  });
});
