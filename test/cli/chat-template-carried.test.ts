// A model's chat template travels with it: `refute import` writes it into the RFT header and
// `refute export` into the GGUF's tokenizer.chat_template, from a SafeTensors directory, a
// .rft or a .gguf; `refute run --chat` renders the same prompt from every form, and llama.cpp
// (node-llama-cpp's reader, not refute's) finds the same template in the exported GGUF.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run as exportModel } from "../../cli/export.ts";
import { run as importModel } from "../../cli/import.ts";
import { run as runModel } from "../../cli/run.ts";
import { chatTemplateOf } from "../../engine/open-tokenizer.ts";
import { loadLlama } from "../../runtimes/llamacpp.ts";

const dir = mkdtempSync(join(tmpdir(), "refute-chat-carried-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { out: () => {}, err: () => {} };

async function promptTokens(model: string): Promise<number[]> {
  const out: string[] = [];
  const code = await runModel(["--model", model, "--chat", "--prompt", "What is 2+2?", "--max-new-tokens", "1", "--json"], { out: (t) => out.push(t), err: () => {} });
  expect(code).toBe(0);
  return JSON.parse(out.join("\n")).prompt_tokens;
}

describe("the chat template through import and export", () => {
  it.each(["tiny-qwen2", "tiny-llama", "tiny-llama-spm"])("%s: equal in the RFT, the GGUF exported from it and the GGUF exported from the directory", async (model) => {
    const config = JSON.parse(readFileSync(`models/zoo/${model}/tokenizer_config.json`, "utf8"));
    const rft = join(dir, `${model}.rft`);
    const fromRft = join(dir, `${model}-from-rft.gguf`);
    const fromDir = join(dir, `${model}.gguf`);
    const rftBack = join(dir, `${model}-from-gguf.rft`);
    expect(await importModel([model, "-o", rft, "--quantize", "f32"], quiet)).toBe(0);
    expect(await exportModel([rft, "-o", fromRft], quiet)).toBe(0);
    expect(await exportModel([model, "-o", fromDir], quiet)).toBe(0);
    expect(await importModel([fromDir, "-o", rftBack, "--quantize", "f32"], quiet)).toBe(0);
    for (const file of [rft, fromRft, fromDir, rftBack]) expect(chatTemplateOf(file)?.template).toBe(config.chat_template);
    const llama = await loadLlama();
    const loaded = await llama.loadModel({ modelPath: fromRft, vocabOnly: true });
    expect((loaded.fileInfo.metadata as { tokenizer?: { chat_template?: string } }).tokenizer?.chat_template).toBe(config.chat_template);
    await loaded.dispose();
    const expected = await promptTokens(model);
    for (const file of [rft, fromRft, rftBack]) expect(await promptTokens(file)).toEqual(expected);
  }, 120_000);

  it("a model without one has none in any form", async () => {
    // tiny-gpt2 with its tokenizer_config.json's chat_template taken out
    const plain = join(dir, "no-template");
    cpSync("models/zoo/tiny-gpt2", plain, { recursive: true });
    const config = JSON.parse(readFileSync(join(plain, "tokenizer_config.json"), "utf8"));
    delete config.chat_template;
    writeFileSync(join(plain, "tokenizer_config.json"), JSON.stringify(config));
    const rft = join(dir, "no-template.rft");
    expect(await importModel([plain, "-o", rft, "--quantize", "f32"], quiet)).toBe(0);
    expect(chatTemplateOf(plain)).toBeNull();
    expect(chatTemplateOf(rft)).toBeNull();
  });
});
