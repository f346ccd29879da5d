// The cli adapter against a small committed script (fixtures/fake-apr.mjs) and, end to end,
// against refute's own `run --json` on a tiny exported model.

import { describe, expect, it } from "vitest";
import { CliRuntime, parseCliConfig, type CliConfig } from "../../runtimes/cli.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { makeRuntime } from "../../runtimes/index.ts";
import { BlockedError, type SubjectSpec } from "../../runtimes/runtime.ts";
import { tinyGguf } from "./tiny-model.ts";

const FAKE = "test/runtimes/fixtures/fake-apr.mjs";
const spec: SubjectSpec = { model: "some-model", format: "gguf", quant: "q8_0", backend: "cpu", runtime: "cli" };
const codes = (s: string) => [...s].map((c) => c.codePointAt(0)! % 1000);

const fakeConfig: CliConfig = {
  command: process.execPath,
  serves: [{ model: "some-model", format: "gguf", quant: "q8_0" }],
  generate: {
    args: [FAKE, "run", "{model}", "--prompt", "{prompt}", "--max-tokens", "{max_new_tokens}", "--json"],
    output: { tokens: "result.ids", text: "result.text", prompt_tokens: "result.prompt_ids" },
  },
  tokenize: { args: [FAKE, "tokenize", "{text}"], output: { tokens: "tokens" } },
  score: { args: [FAKE, "score", "{prompt}", "{tokens}"], output: { logprobs: "logprobs", topk: "topk" } },
};

describe("cli runtime", () => {
  it("fills the argument template and maps the JSON output of generate, tokenize and score", async () => {
    const cli = new CliRuntime(fakeConfig);
    const g = await cli.generate(spec, "Hi there", 4);
    expect(g.tokens).toEqual(codes("Hi t").map((c) => (c + 4) % 1000));
    expect(g.promptTokens).toEqual(codes("Hi there"));
    expect(g.text).toHaveLength(4);
    expect(await cli.tokenize(spec, "abc")).toEqual([97, 98, 99]);
    const s = await cli.score(spec, "Hi", [10, 20], { candidates: [[11], [5]] });
    expect(s.steps.map((x) => [x.token, x.logprob, x.candidates])).toEqual([
      [10, -0.01, [-1.01]],
      [20, -0.02, [null]],
    ]);
  });

  it("is blocked when the command is not installed or the config lacks the operation", async () => {
    await expect(new CliRuntime({ ...fakeConfig, command: "refute-no-such-command-xyz" }).generate(spec, "a", 1)).rejects.toThrow(/command not found: refute-no-such-command-xyz/);
    await expect(new CliRuntime(fakeConfig).perplexity(spec, "a", 2, 1)).rejects.toThrow(BlockedError);
    await expect(makeRuntime("cli", { env: {} }).generate(spec, "a", 1)).rejects.toThrow(/REFUTE_CLI_CONFIG/);
    await expect(makeRuntime("cli", { env: { REFUTE_CLI_CONFIG: "/nonexistent/cli.json" } }).generate(spec, "a", 1)).rejects.toThrow(/cannot read its config/);
  });

  it("reports a failing command with its stderr, and output that does not fit the mapping", async () => {
    const run = (args: string[], output = fakeConfig.generate?.output ?? {}) => new CliRuntime({ ...fakeConfig, generate: { args, output } }).generate(spec, "a", 1);
    await expect(run([FAKE, "fail"])).rejects.toThrow(/exit code 3: fake-apr: model file is corrupt/);
    await expect(run([FAKE, "garbage"])).rejects.toThrow(/stdout is not one JSON document/);
    await expect(run([FAKE, "tokenize", "x"], { tokens: "result.ids" })).rejects.toThrow(/output 'result.ids' \(tokens\) is not an array of token ids/);
  });

  it("validates a config: unknown placeholders and missing fields are named", () => {
    expect(() => parseCliConfig({ command: "x", generate: { args: ["{nope}"], output: { tokens: "t" } } }, "my.json")).toThrow(/my.json: field 'generate.args'.*found \{nope\}/);
    expect(() => parseCliConfig({ command: "x", generate: { args: [], output: {} } })).toThrow(/generate.output.tokens/);
    expect(() => parseCliConfig({ generate: { args: [], output: { tokens: "t" } } })).toThrow(/field 'command'/);
  });

  it("runs refute's own `run --json` as a subject, with the engine's tokens", async () => {
    const model = tinyGguf("llama", "f32");
    const cli = new CliRuntime({
      command: process.execPath,
      serves: [{ model, format: "gguf", quant: "f32" }],
      generate: {
        args: ["bin/refute.mjs", "run", "--model", "{model}", "--prompt", "{prompt}", "--max-new-tokens", "{max_new_tokens}", "--top-k", "3", "--json"],
        output: { tokens: "tokens", text: "text", prompt_tokens: "prompt_tokens", topk: "topk" },
      },
    });
    const subject = { ...spec, model, quant: "f32" as const };
    const mine = await cli.generate(subject, "Once upon a time", 6);
    const engine = await new EmbeddedRuntime().generate({ ...subject, runtime: "embedded" }, "Once upon a time", 6);
    expect(mine.tokens).toEqual(engine.tokens);
    expect(mine.promptTokens).toEqual(engine.promptTokens);
    expect(mine.topk.map((s) => s.map((e) => e.token))).toEqual(engine.topk.map((s) => s.slice(0, 3).map((e) => e.token)));
  }, 30_000);
});
