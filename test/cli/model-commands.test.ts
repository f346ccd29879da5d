// The engine's commands end to end, in process: run, import (provenance enforcement), export,
// inspect, tensors, validate, diff; every one with --help, and usage errors exit 2.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { captureConsole } from "./capture-console.ts";
import { main } from "../../cli/main.ts";
import { REPO_ROOT } from "../../engine/load.ts";

const { out, err } = captureConsole();

const dir = mkdtempSync(join(tmpdir(), "refute-cli-"));
const json = () => JSON.parse(out[out.length - 1]);

describe("model commands", () => {
  it("run --json gives prompt tokens, 32 tokens and the oracle's text", async () => {
    const oracle = JSON.parse(readFileSync(join(REPO_ROOT, "oracle", "tiny-llama", "completion.json"), "utf8"));
    expect(await main(["run", "--model", "tiny-llama", "--prompt", oracle.prompt, "--json"])).toBe(0);
    expect(json()).toMatchObject({ prompt_tokens: oracle.prompt_tokens, tokens: oracle.tokens, text: oracle.text });
  });

  it("run --backend: every CPU backend gives the oracle's tokens; cuda without a device and unknown names are clear errors", async () => {
    const oracle = JSON.parse(readFileSync(join(REPO_ROOT, "oracle", "tiny-qwen2", "code.json"), "utf8"));
    for (const backend of [["--backend", "cpu-ts"], ["--backend", "cpu-wasm", "--threads", "2"], ["--backend", "cpu", "--threads", "1"]]) {
      expect(await main(["run", "--model", "tiny-qwen2", "--prompt", oracle.prompt, "--json", ...backend])).toBe(0);
      expect(json().tokens, backend.join(" ")).toEqual(oracle.tokens);
    }
    expect(await main(["run", "--model", "tiny-qwen2", "--prompt", "x", "--backend", "cuda"])).toBe(2);
    expect(err.join("\n")).toMatch(/no CUDA device.*\[BACKEND_UNAVAILABLE\]/);
    expect(await main(["run", "--model", "tiny-qwen2", "--prompt", "x", "--backend", "tpu"])).toBe(2);
    expect(err.join("\n")).toContain("option '--backend <name>' argument 'tpu' is invalid. Allowed choices are cpu, cpu-wasm, cpu-ts, cuda.");
    expect(await main(["ppl", "--model", "tiny-qwen2", "--text-file", join(REPO_ROOT, "README.md"), "--threads", "0"])).toBe(2);
    expect(err.join("\n")).toContain("option '--threads <n>' argument '0' is invalid. Expected a positive integer.");
  });

  it("import -> export -> import: a GGUF source is refused with --enforce-provenance and recorded as diagnosis without", async () => {
    const rft = join(dir, "m.rft");
    const gguf = join(dir, "m.gguf");
    expect(await main(["import", "tiny-qwen2", "--quantize", "q8_0", "-o", rft, "--json"])).toBe(0);
    expect(json()).toMatchObject({ source_format: "safetensors", quantization: "q8_0", enforced: false });
    expect(await main(["export", rft, "--format", "gguf", "-o", gguf])).toBe(0);
    expect(await main(["import", gguf, "--enforce-provenance", "-o", join(dir, "x.rft")])).toBe(2);
    expect(err.join("\n")).toContain("PROVENANCE_REFUSED");
    expect(await main(["import", gguf, "-o", join(dir, "diag.rft")])).toBe(0);
    expect(await main(["inspect", join(dir, "diag.rft"), "--json"])).toBe(0);
    expect(json().provenance).toMatchObject({ source_format: "gguf", enforced: false, purpose: expect.stringContaining("diagnosis") });
  });

  it("inspect names the architecture; tensors lists every tensor with statistics", async () => {
    expect(await main(["inspect", "tiny-gpt2", "--json"])).toBe(0);
    expect(json()).toMatchObject({ format: "safetensors", architecture: { family: "gpt2", norm: "layer", position: "learned" } });
    expect(await main(["tensors", "tiny-gpt2", "--json"])).toBe(0);
    const stats = json() as { name: string; elements: number; nan: number }[];
    expect(stats.find((s) => s.name === "blk.0.attn_q.weight")).toMatchObject({ elements: 128 * 128, nan: 0 });
  });

  it("validate passes the zoo; diff warns about mixed quantization and reports no transpose between formats", async () => {
    expect(await main(["validate", "tiny-llama"])).toBe(0);
    const q4 = join(dir, "q4.rft");
    expect(await main(["import", "tiny-llama", "--quantize", "q4_0", "-o", q4])).toBe(0);
    expect(await main(["diff", "tiny-llama", q4, "--json"])).toBe(0);
    const d = json() as { warnings: string[]; tensors: { transposed: boolean; maxAbsDiff: number | null }[] };
    expect(d.warnings[0]).toMatch(/mixed quantization levels/);
    expect(d.tensors.every((t) => !t.transposed && t.maxAbsDiff !== null)).toBe(true);
  });

  it.each(["run", "ppl", "import", "export", "inspect", "tensors", "validate", "diff", "list", "gates", "ticket", "report", "serve", "bench", "kv"])("%s --help exits 0 and prints usage", async (cmd) => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await main([cmd, "--help"])).toBe(0);
    const printed = out.join("\n") + write.mock.calls.map((c) => String(c[0])).join("");
    expect(printed).toMatch(new RegExp(`^Usage: refute ${cmd} `));
  });

  it("help is generated from the option specs: placeholders, defaults and the vocabulary's choices", async () => {
    const help = async (argv: string[]) => {
      out.length = 0;
      expect(await main(argv)).toBe(0);
      return out.join("\n").replace(/\s+/g, " "); // as wrapped at any width
    };
    const run = await help(["run", "--help"]);
    expect(run).toContain("--max-new-tokens <n> tokens to generate (default: 32)");
    expect(run).toMatch(/--backend <name> .*\(choices: "cpu", "cpu-wasm", "cpu-ts", "cuda", default: "cpu"\)/);
    expect(await help(["help", "import"])).toMatch(/--quantize <quant> .*\(choices: "f32", "q8_0", "q4_0", "q4_k", default: "f32"\)/);
    expect(await help(["--help"])).toMatch(/^Usage: refute .* gates run claims and report verdicts/);
  });

  it("usage errors exit 2 and say what was expected", async () => {
    expect(await main(["run", "--model", "tiny-llama"])).toBe(2);
    expect(err.join("\n")).toContain("required option '--prompt <text>' not specified");
    expect(await main(["import", "tiny-llama", "--quantize", "q3", "-o", join(dir, "y.rft")])).toBe(2);
    expect(err.join("\n")).toMatch(/option '--quantize <quant>' argument 'q3' is invalid\. Allowed choices are f32, q8_0, q4_0, q4_k\./);
    expect(await main(["run", "--model", "no-such-model", "--prompt", "x"])).toBe(2);
    expect(err.join("\n")).toContain("MODEL_NOT_FOUND");
    expect(await main(["nonsense"])).toBe(2);
    expect(err.join("\n")).toContain("refute: unknown command 'nonsense' [E_USAGE]");
    expect(await main([])).toBe(2); // the list of commands, on stderr
  });
});
