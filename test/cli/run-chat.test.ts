// `refute run --chat`: the prompt goes to the model as its chat template renders it. The
// prompt tokens are Hugging Face's tokenization (the tokenizers library) of the render
// transformers makes (oracle/chat/, Python's Jinja2), for the zoo's two chat models; a model
// without a template (tiny-gpt2) is refused.

import { readFileSync } from "node:fs";
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
    const r = await outcome(["--model", "tiny-gpt2", "--chat", "--prompt", "hi"]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/has no chat template/)]);
  });
});
