// The recorded reference runtime: it serves exactly the precisions and models recorded under
// oracle/precision/, returns what the record holds, blocks what it has no record of, refuses a
// record made for another prompt, and a recorded run that drifted is falsified by the claim.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGates } from "../../gates/run.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";
import { RecordedReferenceRuntime } from "../../runtimes/reference.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";

const spec = (quant: string, model = "tiny-llama", format = "safetensors"): SubjectSpec => ({ model, format, quant, backend: "cpu", runtime: "reference" }) as SubjectSpec;
const CODE = readFileSync("oracle/prompts/code.txt", "utf8");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("runtime reference", () => {
  const reference = new RecordedReferenceRuntime("oracle");

  it("serves safetensors at bf16 and f16 for the recorded models, and nothing else", () => {
    expect(reference.serves(spec("bf16"))).toBeNull();
    expect(reference.serves(spec("f16", "tiny-gpt2"))).toBeNull();
    expect(reference.serves(spec("q8_0"))).toMatch(/serves safetensors at bf16 and f16/);
    expect(reference.serves(spec("bf16", "tiny-llama", "gguf"))).toMatch(/serves safetensors at bf16 and f16/);
    expect(reference.serves(spec("bf16", "tiny-llama-rope-dynamic"))).toMatch(/has no bf16 runs of tiny-llama-rope-dynamic/);
    expect(reference.serves({ ...spec("bf16"), inject: "bos-prepended" })).toMatch(/no fault to inject/);
  });

  it("returns the record's run, and blocks a prompt it has no record of", async () => {
    const record = JSON.parse(readFileSync("oracle/precision/bfloat16/tiny-llama/code.json", "utf8"));
    expect(record).toMatchObject({ precision: "bfloat16", device: "cpu", cuda_version: null, gpu_name: null });
    const g = await reference.generate(spec("bf16"), CODE, 32);
    expect(g.tokens).toEqual(record.tokens);
    await expect(reference.generate(spec("bf16"), "Once upon a time", 32)).rejects.toThrow(/no recorded bf16 run of tiny-llama/);
    await expect(reference.generate(spec("bf16"), CODE, 8)).rejects.toThrow(/holds 32 tokens; the check asks for 8/);
    expect(JSON.parse(readFileSync("oracle/precision/float16/tiny-llama/code.json", "utf8")).emulation).toMatch(/rounded to float16/);
  });

  it("a recorded run that drifted from the oracle is falsified; one made for another prompt is refused", async () => {
    const oracle = mkdtempSync(join(tmpdir(), "refute-reference-"));
    dirs.push(oracle);
    cpSync("oracle", oracle, { recursive: true });
    const file = join(oracle, "precision", "bfloat16", "tiny-llama", "code.json");
    const record = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...record, tokens: record.tokens.map((t: number, i: number) => (i >= 20 ? (t + 1) % 1024 : t)) }));
    const config = { file: null, oracle, models: {}, runtimes: {} };
    const report = await runGates({ claimsDir: "claims", oracleDir: oracle, config, factory: defaultRuntimeFactory({ config }), select: { claims: ["precision-bf16-mismatch"] } });
    const code = report.checks.filter((c) => c.subject.model === "tiny-llama" && c.prompts.includes("code"));
    expect(code.map((c) => c.verdict)).toEqual(["falsified"]);
    expect(report.checks.filter((c) => c.verdict === "falsified")).toHaveLength(1);
    writeFileSync(file, JSON.stringify({ ...record, prompt: "another prompt" }));
    await expect(new RecordedReferenceRuntime(oracle).generate(spec("bf16"), CODE, 32)).rejects.toThrow(/recorded for another prompt/);
  });
});
