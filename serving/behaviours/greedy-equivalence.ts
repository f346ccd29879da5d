// Greedy has one answer however it is asked: temperature 0 and top_k 1 (at temperature 1) give
// the same text. A server that ignores top_k samples instead.

import { ask, type Behaviour, GREEDY, quoted } from "../behaviour.ts";

export const greedyEquivalence: Behaviour = {
  name: "greedy-equivalence",
  description: "temperature 0 = top_k 1",
  needs: ["seed"],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    for (const prompt of prompts) {
      const zero = (await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens })).text;
      const topOne = (await ask(endpoint, prompt, { temperature: 1, top_k: 1, seed: 3, max_tokens: maxTokens })).text;
      if (topOne !== zero) violations.push(`${prompt.name}: top_k 1 ${quoted(topOne)}, temperature 0 ${quoted(zero)}`);
    }
    return { violations, checked: prompts.length, notes: [] };
  },
};
