// Log-probabilities mean what the API says: every logprob is <= 0, the probabilities of a
// step's alternatives sum to at most 1, the greedy token is the most likely of its own
// alternatives and its logprob is its entry there. A server that reports probabilities, or
// post-sampler values (llama.cpp PR #10783), breaks one of them.

import { ask, type Behaviour, GREEDY } from "../behaviour.ts";

const TOP = 5;
const SLACK = 1e-4; // float32 rounding of log-softmax and of its exponentials

export const logprobSemantics: Behaviour = {
  name: "logprob-semantics",
  description: "logprob <= 0, sum of exp(top_logprobs) <= 1, greedy token = top-1 with its own logprob",
  needs: ["logprobs"],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    let checked = 0;
    for (const prompt of prompts) {
      const a = await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens, logprobs: TOP });
      a.tokens.forEach((t, i) => {
        checked++;
        const at = `${prompt.name} step ${i}`;
        if (t.logprob === null || !(t.logprob <= SLACK)) violations.push(`${at}: logprob ${t.logprob}`);
        const mass = t.top.reduce((s, e) => s + Math.exp(e.logprob), 0);
        if (t.top.some((e) => !(e.logprob <= SLACK))) violations.push(`${at}: an alternative with logprob > 0 (${t.top.map((e) => e.logprob).join(", ")})`);
        if (mass > 1 + SLACK) violations.push(`${at}: the alternatives' probabilities sum to ${mass.toFixed(6)}`);
        const best = t.top[0];
        if (!best) violations.push(`${at}: no alternatives`);
        else if (t.logprob !== null && best.logprob > t.logprob + SLACK) violations.push(`${at}: greedy token's logprob ${t.logprob} below the top alternative's ${best.logprob}`);
        const own = t.top.find((e) => (t.id !== null ? e.id === t.id : e.text === t.text));
        if (own && t.logprob !== null && Math.abs(own.logprob - t.logprob) > SLACK) violations.push(`${at}: logprob ${t.logprob}, its own alternative's ${own.logprob}`);
      });
    }
    return { violations, checked, notes: [`top ${TOP} alternatives per step`] };
  },
};
