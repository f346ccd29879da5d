// Chat templates rendered by refute (@huggingface/jinja) as transformers renders them (Python's
// Jinja2 in apply_chat_template's environment, scripts/gen_chat_reference.py, records in
// oracle/chat/): the zoo's templates and five of llama.cpp's models/templates/, eight
// conversations each, the same text to the character, and the same refusals (raise_exception).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ChatMessage, renderChat } from "../../engine/tokenizer/chat-template.ts";
import { llamaTemplate } from "../../core/llama-vocabularies.ts";

interface Reference {
  template: string;
  template_file: string;
  template_sha256: string;
  cases: { messages: ChatMessage[]; add_generation_prompt: boolean; bos_token: string; eos_token: string; rendered?: string; error?: string }[];
}

const references = readdirSync("oracle/chat")
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join("oracle/chat", f), "utf8")) as Reference);

function source(r: Reference): string {
  return r.template_file.startsWith("models/zoo/") ? (JSON.parse(readFileSync(r.template_file, "utf8")) as { chat_template: string }).chat_template : llamaTemplate(r.template);
}

describe("chat templates", () => {
  it("the references cover the zoo's templates and at least three real ones", () => {
    expect(references.map((r) => r.template)).toEqual(expect.arrayContaining(["tiny-qwen2", "tiny-llama"]));
    expect(references.filter((r) => !r.template_file.startsWith("models/zoo/")).length).toBeGreaterThanOrEqual(3);
  });

  it.each(references.map((r) => [r.template, r]))("%s: rendered as transformers renders it", (_, r) => {
    const text = source(r as Reference);
    expect(createHash("sha256").update(text, "utf8").digest("hex"), "the template the reference was made from").toBe((r as Reference).template_sha256);
    for (const c of (r as Reference).cases) {
      const render = () => renderChat(text, c.messages, { addGenerationPrompt: c.add_generation_prompt, bosToken: c.bos_token, eosToken: c.eos_token });
      if (c.error !== undefined) expect(render).toThrow(c.error);
      else expect(render()).toBe(c.rendered);
    }
  });
});
