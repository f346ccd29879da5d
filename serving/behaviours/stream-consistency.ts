// Streaming and whole answers agree: the streamed deltas joined equal the whole answer's text,
// both equal the server's own detokenization of the generated ids, and neither holds U+FFFD
// (but at the end of an answer max_tokens cut inside a character).
// A streamer that decodes token by token splits a character spelled in several byte tokens
// (dynamo #12630: Korean lost to U+FFFD; sglang #31598), while the whole answer is right.

import { type Answer, postJson } from "../client.ts";
import { ask, type Behaviour, GREEDY, quoted } from "../behaviour.ts";

/** The text a reader sees as final: an answer cut by max_tokens may end inside a character, whose bytes so far are U+FFFD (not a streaming bug). */
function readText(a: Answer): string {
  return a.finishReason === "length" ? a.text.replace(/\uFFFD+$/, "") : a.text;
}

export const streamConsistency: Behaviour = {
  name: "stream-consistency",
  description: "streamed text = whole text = detokenize(ids), no U+FFFD",
  needs: ["stream", "detokenize", "token-ids"],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    for (const prompt of prompts) {
      const fields = { ...GREEDY, max_tokens: maxTokens, logprobs: 1 };
      const whole = await ask(endpoint, prompt, fields);
      const stream = await ask(endpoint, prompt, fields, true);
      const ids = whole.ids ?? [];
      const detokenized = ((await postJson(endpoint, "/detokenize", { tokens: ids })) as { content?: string }).content ?? "";
      if (stream.text !== whole.text) violations.push(`${prompt.name}: streamed ${quoted(stream.text)}, whole ${quoted(whole.text)}`);
      if (whole.text !== detokenized) violations.push(`${prompt.name}: whole ${quoted(whole.text)}, detokenize(ids) ${quoted(detokenized)}`);
      for (const [what, a] of [["streamed", stream], ["whole", whole]] as const) if (readText(a).includes("\uFFFD")) violations.push(`${prompt.name}: the ${what} text holds U+FFFD: ${quoted(a.text)}`);
      if (!stream.done) violations.push(`${prompt.name}: the stream did not end with [DONE]`);
    }
    return { violations, checked: prompts.length, notes: [] };
  },
};
