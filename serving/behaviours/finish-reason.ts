// Why an answer ended is reported truthfully: "stop" where the model emitted its
// end-of-sequence token (the chat prompts, whose oracle answers end with it, given room),
// "length" where max_tokens cut it (every prompt, asked for fewer tokens than the oracle's
// answer before its end). Servers that never honour EOS (ollama #3759, vLLM #4180) report
// length and run on; ones that report stop for every answer hide truncation.

import { ask, type Behaviour, GREEDY } from "../behaviour.ts";

export const finishReason: Behaviour = {
  name: "finish-reason",
  description: "finish stop at the model's end token, length at max_tokens",
  needs: [],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    for (const prompt of prompts) {
      const roomy = await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens });
      const expected = prompt.messages ? "stop" : "length";
      if (roomy.finishReason !== expected) violations.push(`${prompt.name}, max_tokens ${maxTokens}: finish ${roomy.finishReason}, expected ${expected} (${prompt.messages ? "the model ends its answer" : "the answer runs on"})`);
      const cut = await ask(endpoint, prompt, { ...GREEDY, max_tokens: 2 });
      if (cut.finishReason !== "length") violations.push(`${prompt.name}, max_tokens 2: finish ${cut.finishReason}, expected length`);
    }
    return { violations, checked: 2 * prompts.length, notes: [] };
  },
};
