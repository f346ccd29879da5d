// `refute run --chat`: the prompt goes to the model as its chat template renders it. The
// prompt tokens are Hugging Face's tokenization (the tokenizers library) of the render
// transformers makes (oracle/chat/, Python's Jinja2), for the zoo's ChatML models; a model
// without a template (tiny-gpt2 with its template taken out) is refused.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "tokenizers";
import { describe, expect, it } from "vitest";
import { run } from "../../cli/run.ts";

async function outcome(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("refute run --chat", () => {
  it.each(["tiny-qwen2", "tiny-llama"])("%s: the prompt is the template's render of the conversation, with its generation prompt", async (model) => {
    const reference = JSON.parse(readFileSync(`oracle/chat/${model}.json`, "utf8")) as { cases: { messages: { role: string; content: string }[]; add_generation_prompt: boolean; rendered?: string }[] };
    const c = reference.cases.find((x) => x.add_generation_prompt && x.messages.length === 2 && x.messages[0].role === "system")!;
    const expected = (await Tokenizer.fromFile(`models/zoo/${model}/tokenizer.json`).encode(c.rendered!, null, { addSpecialTokens: false })).getIds();
    const r = await outcome(["--model", model, "--chat", "--system", c.messages[0].content, "--prompt", c.messages[1].content, "--max-new-tokens", "2", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).prompt_tokens).toEqual(expected);
  });

  it("refuses a model without a chat template", async () => {
    const dir = mkdtempSync(join(tmpdir(), "refute-no-template-"));
    cpSync("models/zoo/tiny-gpt2", dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
    delete config.chat_template;
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
    const r = await outcome(["--model", dir, "--chat", "--prompt", "hi"]);
    rmSync(dir, { recursive: true, force: true });
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/has no chat template/)]);
  });
});
