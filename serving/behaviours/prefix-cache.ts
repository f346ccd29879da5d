// A prompt cache changes speed, never output: the same prompt asked cold, again warm, and
// after a request that shares its prefix with another suffix, gets the same greedy answer
// each time (vLLM #5543, #40896: prefix-cache hits that corrupt output).

import type { PromptRef } from "../../measures/measure.ts";
import { ask, type Behaviour, GREEDY, quoted } from "../behaviour.ts";

/** The prompt with another ending: its last word replaced, so the two share every token before it. */
function otherSuffix(prompt: PromptRef): PromptRef {
  const cut = prompt.text.trimEnd().lastIndexOf(" ");
  return { name: `${prompt.name} (other suffix)`, text: `${prompt.text.slice(0, Math.max(cut, 1))} and then` };
}

export const prefixCache: Behaviour = {
  name: "prefix-cache",
  description: "cold, warm and after a shared-prefix request: the same greedy answer",
  needs: [],
  async run({ endpoint, prompts, maxTokens }) {
    const fields = { ...GREEDY, max_tokens: maxTokens };
    const violations: string[] = [];
    for (const prompt of prompts) {
      const cold = (await ask(endpoint, prompt, fields)).text;
      const warm = (await ask(endpoint, prompt, fields)).text;
      const other = otherSuffix(prompt);
      const otherFirst = (await ask(endpoint, other, fields)).text;
      const after = (await ask(endpoint, prompt, fields)).text;
      const otherAgain = (await ask(endpoint, other, fields)).text;
      if (warm !== cold) violations.push(`${prompt.name}: warm ${quoted(warm)}, cold ${quoted(cold)}`);
      if (after !== cold) violations.push(`${prompt.name} after ${quoted(other.text)}: ${quoted(after)}, cold ${quoted(cold)}`);
      if (otherAgain !== otherFirst) violations.push(`${other.name}: ${quoted(otherAgain)} the second time, ${quoted(otherFirst)} the first`);
    }
    return { violations, checked: 3 * prompts.length, notes: ["cold, warm, shared prefix with another suffix, then each again"] };
  },
};
