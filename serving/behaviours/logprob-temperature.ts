// Logprobs describe the model, not the sampler: the first step's alternatives (whose context is
// the prompt alone, whatever is sampled) are the same at temperature 0 and at temperature 1.5
// (vLLM #9453: logprobs that changed with temperature).

import { ask, type Behaviour, GREEDY } from "../behaviour.ts";

const TOP = 5;
const SLACK = 1e-4;

export const logprobTemperature: Behaviour = {
  name: "logprob-temperature",
  description: "the first step's top_logprobs are the same at temperature 0 and 1.5",
  needs: ["logprobs", "seed"],
  async run({ endpoint, prompts }) {
    const violations: string[] = [];
    for (const prompt of prompts) {
      const cold = await ask(endpoint, prompt, { ...GREEDY, max_tokens: 1, logprobs: TOP });
      const hot = await ask(endpoint, prompt, { temperature: 1.5, seed: 7, max_tokens: 1, logprobs: TOP });
      const [a, b] = [cold.tokens[0]?.top ?? [], hot.tokens[0]?.top ?? []];
      const differs = a.length !== b.length || a.some((e, i) => (e.id ?? e.text) !== (b[i].id ?? b[i].text) || Math.abs(e.logprob - b[i].logprob) > SLACK);
      if (differs) violations.push(`${prompt.name}: at temperature 0 ${JSON.stringify(a.map((e) => [e.id ?? e.text, +e.logprob.toFixed(5)]))}, at 1.5 ${JSON.stringify(b.map((e) => [e.id ?? e.text, +e.logprob.toFixed(5)]))}`);
    }
    return { violations, checked: prompts.length, notes: [] };
  },
};
