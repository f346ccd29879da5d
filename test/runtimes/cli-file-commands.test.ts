// The tools suite on a command line: refute's own inspect/validate/tensors/diff/list run as a
// foreign CLI (a cli runtime's `files:` with output mappings) corroborate every tools claim on
// the subjects it serves and block the others; a tool that lies (fixtures/lying-file-tool.mjs)
// is falsified by every probe its lies reach; the config's mistakes are named; a convert
// template writes the files, and the evidence says who wrote each.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.ts";
import { runGates } from "../../gates/run.ts";
import { CliFileCommands } from "../../runtimes/cli-file-commands.ts";
import { valuesAt } from "../../runtimes/cli-file-config.ts";
import { parseCliConfig } from "../../runtimes/cli.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

const ROOT = join(import.meta.dirname, "../..");
const REFUTE = [join(ROOT, "bin/refute.mjs")];
const LIAR = [join(import.meta.dirname, "fixtures/lying-file-tool.mjs")];

const refuteFiles = {
  inspect: {
    args: [...REFUTE, "inspect", "{file}", "--json"],
    output: { architecture: "architecture.family", layers: "architecture.layers", heads: "architecture.heads", kv_heads: "architecture.kvHeads", hidden: "architecture.hidden", intermediate: "architecture.intermediate", vocab: "architecture.vocabSize", tensors: "tensors", metadata: "metadata" },
  },
  validate: { args: [...REFUTE, "validate", "{file}", "--json"], output: { valid: "valid", codes: "findings.*.code" } },
  tensors: { args: [...REFUTE, "tensors", "{file}", "--json"], output: { list: "", name: "name", dtype: "dtype", shape: "shape", std: "std", nan: "nan", inf: "inf" } },
  diff: { args: [...REFUTE, "diff", "{file_a}", "{file_b}", "--json"], output: { list: "tensors", name: "name", dtype_a: "dtypeA", dtype_b: "dtypeB", shape_a: "shapeA", shape_b: "shapeB", transposed: "transposed" } },
  list: { args: [...REFUTE, "list", "--json"], output: { list: "models", name: "name", bytes: "bytes" } },
};
const liarFiles = {
  inspect: { args: [...LIAR, "inspect", "{file}"], output: { architecture: "arch", layers: "n_layer", heads: "n_head", hidden: "n_embd", vocab: "vocab", metadata: "metadata" } },
  validate: { args: [...LIAR, "validate", "{file}"], output: { valid: "ok", codes: "errors.*.code" } },
  tensors: { args: [...LIAR, "tensors", "{file}"], output: { list: "tensors", name: "name", dtype: "type", shape: "dims", std: "std" } },
  diff: { args: [...LIAR, "diff", "{file_a}", "{file_b}"], output: { list: "rows", name: "name", dtype_a: "ta", dtype_b: "tb", shape_a: "a", shape_b: "b", transposed: "transposed" } },
  list: { args: [...LIAR, "list"], output: { list: "models", name: "name", bytes: "bytes" } },
};
const serves = ["f32", "q8_0", "q4_0"].flatMap((quant) => ["native", "gguf"].map((format) => ({ model: "tiny-llama", format, quant }))).concat([{ model: "tiny-llama", format: "safetensors", quant: "f32" }]);
const config = parseConfig(
  {
    runtimes: {
      "refute-cli": { kind: "cli", command: process.execPath, cwd: ROOT, serves: serves.filter((s) => s.quant !== "q4_0"), files: refuteFiles },
      liar: { kind: "cli", command: process.execPath, serves, files: liarFiles },
    },
  },
  join(ROOT, "refute.config.yaml"),
);

describe("the tools suite on a cli runtime", () => {
  it("refute's own commands as a foreign CLI: every served check corroborated, the q4_0 ones blocked naming what it serves", async () => {
    const report = await runGates({ claimsDir: join(ROOT, "claims"), oracleDir: join(ROOT, "oracle"), config, factory: defaultRuntimeFactory({ config }), runtime: "refute-cli", select: { claims: ["tools-inspect-architecture", "tools-identify-family", "tools-tensor-dtypes", "tools-diff-dtype-only", "tools-gguf-metadata", "tools-list-inventory"], models: ["tiny-llama"] }, concurrency: 2 });
    const verdicts = (v: string) => report.checks.filter((c) => c.verdict === v);
    expect(verdicts("falsified").map((c) => c.id)).toEqual([]);
    expect(verdicts("blocked").length).toBeGreaterThan(0);
    for (const c of verdicts("blocked")) expect(c.subject.quant === "q4_0" || c.claim === "tools-diff-dtype-only", `${c.id}: ${c.reason}`).toBe(true);
    for (const c of verdicts("blocked")) expect(c.reason).toMatch(/serves tiny-llama/);
    expect(verdicts("corroborated").length).toBeGreaterThanOrEqual(10);
    // what ran: the command line, and who wrote the files (refute's export: this config has no convert)
    const inspect = verdicts("corroborated").find((c) => c.claim === "tools-inspect-architecture" && c.subject.format === "gguf");
    expect(inspect?.evidence?.notes?.join("\n")).toMatch(/commands: .*node.* \(files: inspect, validate, tensors, diff, list\)[\s\S]*not by .*node.*: its config has no files\.convert/);
  }, 240_000);

  it("a tool that lies is falsified by every probe its lies reach", async () => {
    const report = await runGates({ claimsDir: join(ROOT, "claims"), oracleDir: join(ROOT, "oracle"), config, factory: defaultRuntimeFactory({ config }), runtime: "liar", select: { suites: ["tools"], models: ["tiny-llama"] }, concurrency: 2 });
    const falsified = new Set(report.checks.filter((c) => c.verdict === "falsified").map((c) => c.claim));
    expect([...falsified].sort()).toEqual([
      "tools-diff-dtype-only",
      "tools-gguf-metadata",
      "tools-identify-family",
      "tools-inspect-architecture",
      "tools-list-inventory",
      "tools-tensor-dtypes",
      "tools-tensor-stats",
      "tools-tensor-tree",
      "tools-validate-accepts",
      "tools-validate-corpus",
    ]);
    // the liar accepts GGUF files, so validate-accepts holds there and fails on native ones
    const accepts = report.checks.filter((c) => c.claim === "tools-validate-accepts");
    for (const c of accepts) expect(c.verdict, c.id).toBe(c.subject.format === "native" ? "falsified" : "corroborated");
  }, 120_000);

  it("a convert template writes the files itself, and says so", async () => {
    const tools = new CliFileCommands({
      command: process.execPath,
      timeoutMs: 60_000,
      files: { convert: { args: [...REFUTE, "export", "{model}", "--quantize", "{quant}", "-o", "{out}"] } },
      model: "tiny-llama",
      modelName: "tiny-llama",
    });
    try {
      const file = await tools.modelFile("gguf", "q8_0");
      expect(existsSync(file.path)).toBe(true);
      expect(file.writtenBy).toMatch(/refute\.mjs export tiny-llama --quantize q8_0 -o .*gguf-q8_0\.gguf/);
      await expect(tools.inspect(file.path)).rejects.toThrow(/describes no 'files.inspect' command/);
    } finally {
      await tools.close();
    }
  }, 60_000);
});

describe("the files config", () => {
  const base = { command: "tool", serves: [{ model: "tiny-llama", format: "gguf", quant: "f32" }] };
  it("needs generate or files, and names an unknown operation, a wrong placeholder and a missing output", () => {
    expect(() => parseCliConfig(base, "c.json")).toThrow(/field 'generate': expected \{ args, output \} \(or files/);
    expect(parseCliConfig({ ...base, files: { list: { args: ["ls"], output: { list: "" } } } }, "c.json").files).toBeDefined();
    expect(() => parseCliConfig({ ...base, files: { lint: { args: [], output: {} } } }, "c.json")).toThrow(/field 'files.lint': expected one of convert, inspect/);
    expect(() => parseCliConfig({ ...base, files: { inspect: { args: ["{file_a}"], output: {} } } }, "c.json")).toThrow(/field 'files.inspect.args': expected placeholders among \{file\}; found \{file_a\}/);
    expect(() => parseCliConfig({ ...base, files: { diff: { args: ["{file_a}"] } } }, "c.json")).toThrow(/field 'files.diff.output': expected an object/);
  });

  it("a path's * is every item, \"\" the document", () => {
    expect(valuesAt({ findings: [{ code: "A" }, { code: "B" }] }, "findings.*.code")).toEqual(["A", "B"]);
    expect(valuesAt([1, 2], "")).toEqual([[1, 2]]);
    expect(valuesAt({ a: 1 }, "b")).toEqual([]);
  });
});
