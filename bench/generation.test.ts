// The bench's generation test: prompts read and named after the oracle's, the seed's mismatch
// bounds, what --verify refuses before a run, and a timed output that differs from the oracle
// (or between repetitions) failing verification.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Runtime, SubjectSpec, TimedGeneration, TimedGenerationRequest } from "../runtimes/runtime.ts";
import { allowedMismatches, benchGeneration, readPrompts, verificationProblem } from "./generation.ts";

const dir = mkdtempSync(join(tmpdir(), "refute-bench-gen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const ORACLE_CODE = [...Array(32).keys()].map((i) => i + 100); // stands in for oracle/tiny-llama/code.json's tokens below

describe("bench prompts", () => {
  it("one per line, blank lines skipped, each named after the oracle prompt whose text it is", () => {
    const prompts = readPrompts(file("p.txt", "def fibonacci(n):\n\nnot an oracle prompt\r\n"));
    expect(prompts).toEqual([
      { name: "code", text: "def fibonacci(n):", oracleName: "code" },
      { name: "line 3", text: "not an oracle prompt", oracleName: null },
    ]);
    expect(readPrompts("bench/prompts.txt").map((p) => p.oracleName)).toEqual(["arithmetic", "completion", "code", "greeting"]);
  });

  it("refuses a missing or empty file", () => {
    expect(() => readPrompts(join(dir, "nope.txt"))).toThrow(/--prompts .*nope.txt: no such file/);
    expect(() => readPrompts(file("empty.txt", "\n\n"))).toThrow(/no prompt/);
  });

  it("--verify needs an oracle record per model and prompt, holding as many tokens as asked", () => {
    const prompts = readPrompts(file("q.txt", "def fibonacci(n):\n"));
    expect(verificationProblem("oracle", "tiny-llama", prompts, 32)).toBeNull();
    expect(verificationProblem("oracle", "tiny-llama", prompts, 33)).toMatch(/holds 32 tokens for 'code'; --tokens asks for 33/);
    expect(verificationProblem("oracle", "synthetic:smollm-135m-shape", prompts, 8)).toMatch(/no oracle record of synthetic:smollm-135m-shape/);
    expect(verificationProblem("oracle", "tiny-llama", readPrompts(file("r.txt", "hello there\n")), 8)).toMatch(/is not an oracle prompt/);
  });

  it("allows the seed's 3/32 at 8 bits and 5/32 at 4 bits, nothing at full precision", () => {
    expect([allowedMismatches("f32", 32), allowedMismatches("q8_0", 32), allowedMismatches("q4_0", 32), allowedMismatches("q4_k", 16)]).toEqual([0, 3, 5, 2]);
  });
});

/** A runtime whose timed generations are `outputs` in turn (one per call). */
function fakeRuntime(outputs: number[][]): Runtime {
  let call = 0;
  return {
    timedGeneration: async (_: SubjectSpec, r: TimedGenerationRequest): Promise<TimedGeneration> => {
      const runs = Array.from({ length: r.reps }, () => outputs[Math.min(call++, outputs.length - 1)]);
      return { firstTokenMs: runs.map(() => 1), samplesMs: runs.map(() => 10), tokens: runs, threads: 1, backend: "fake" };
    },
  } as unknown as Runtime;
}

describe("verification while timing", () => {
  const spec = { model: "tiny-llama", format: "gguf", quant: "f32", backend: "cpu", runtime: "embedded" } as SubjectSpec;
  const options = { model: "tiny-llama", quant: "f32" as const, prompts: readPrompts(file("c.txt", "def fibonacci(n):\n")), maxNewTokens: 32, reps: 2, warmup: 0, verify: true, oracleDir: dir };
  const oracleDir = (tokens: number[]) => {
    const d = mkdtempSync(join(dir, "oracle-"));
    mkdirSync(join(d, "tiny-llama"));
    writeFileSync(join(d, "tiny-llama", "code.json"), JSON.stringify({ tokens }));
    return d;
  };

  it("passes outputs equal to the oracle's, fails one token off at F32, and repetitions that differ", async () => {
    const o = { ...options, oracleDir: oracleDir(ORACLE_CODE) };
    const [same] = await benchGeneration(fakeRuntime([ORACLE_CODE]), spec, fakeRuntime([ORACLE_CODE]), spec, o);
    expect(same.verify).toMatchObject({ ok: true, engine: 0, llamacpp: 0, deterministic: true });
    const off = [...ORACLE_CODE.slice(0, 31), 7];
    const [wrong] = await benchGeneration(fakeRuntime([off]), spec, fakeRuntime([ORACLE_CODE]), spec, o);
    expect(wrong.verify).toMatchObject({ ok: false, engine: 1, llamacpp: 0 });
    const [flaky] = await benchGeneration(fakeRuntime([ORACLE_CODE, off]), spec, fakeRuntime([ORACLE_CODE]), spec, o);
    expect(flaky.verify).toMatchObject({ ok: false, deterministic: false });
    expect(same.engine).toMatchObject({ ttftMs: 1, tokens: 32, meanTps: 3200 });
  });
});
