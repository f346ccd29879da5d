// Requested logprobs come back (ollama #16117: logprobs accepted and not returned): every
// generated token carries its logprob and exactly the number of alternatives asked for, whole
// and streamed.

import { ask, type Behaviour, GREEDY } from "../behaviour.ts";

const ASKED = [1, 3] as const;

export const logprobsReturned: Behaviour = {
  name: "logprobs-returned",
  description: "each token has its logprob and exactly N alternatives, whole and streamed",
  needs: ["stream"],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    let checked = 0;
    for (const prompt of prompts) {
      for (const n of ASKED) {
        for (const stream of [false, true]) {
          const a = await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens, logprobs: n }, stream);
          checked++;
          const how = `${prompt.name}${stream ? " (streamed)" : ""}, logprobs ${n}`;
          if (a.tokens.length === 0) violations.push(`${how}: no logprobs came back`);
          const bad = a.tokens.findIndex((t) => t.logprob === null || t.top.length !== n);
          if (bad >= 0) violations.push(`${how}: token ${bad} has logprob ${a.tokens[bad].logprob} and ${a.tokens[bad].top.length} alternatives`);
        }
      }
    }
    return { violations, checked, notes: [] };
  },
};
