// max_tokens is honoured exactly: an answer that ran out (finish "length") has exactly
// max_tokens tokens, one that ended otherwise (finish "stop") no more; the count is the server's
// own (usage.completion_tokens, else the tokens it lists). Asked at several budgets.

import { ask, type Behaviour, GREEDY } from "../behaviour.ts";

export const BUDGETS = [1, 2, 7, 16] as const;

export const maxTokens: Behaviour = {
  name: "max-tokens",
  description: "finish length: exactly max_tokens tokens; finish stop: at most max_tokens",
  needs: ["token-ids"],
  async run({ endpoint, prompts }) {
    const violations: string[] = [];
    let checked = 0;
    for (const prompt of prompts) {
      for (const budget of BUDGETS) {
        const a = await ask(endpoint, prompt, { ...GREEDY, max_tokens: budget, logprobs: 1 });
        const count = a.completionTokens ?? a.ids?.length ?? 0;
        checked++;
        if (a.finishReason === "length" ? count !== budget : count > budget) {
          violations.push(`${prompt.name}, max_tokens ${budget}: ${count} tokens, finish ${a.finishReason}`);
        }
      }
    }
    return { violations, checked, notes: [`max_tokens ${BUDGETS.join(", ")}`] };
  },
};
