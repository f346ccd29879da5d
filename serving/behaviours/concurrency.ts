// A greedy answer does not depend on what else the server is doing: each prompt's answer alone
// equals its answer while `concurrency` other requests are in flight. Batching servers have
// broken this many ways (vLLM #5898, #9567; llama.cpp #7052: 8 slots gave 5-8 distinct greedy
// completions; ollama #5636); a KV cache shared between requests breaks it outright.

import { ask, type Behaviour, GREEDY, quoted } from "../behaviour.ts";

export const concurrency: Behaviour = {
  name: "concurrency",
  description: "greedy output alone = greedy output among N concurrent requests",
  needs: [],
  async run({ endpoint, prompts, maxTokens, concurrency: n }) {
    const fields = { ...GREEDY, max_tokens: maxTokens };
    const alone: string[] = [];
    for (const p of prompts) alone.push((await ask(endpoint, p, fields)).text);
    // the first prompt with n others in flight: the other prompts in turn
    const violations: string[] = [];
    let checked = 0;
    for (const [i, target] of prompts.entries()) {
      const others = Array.from({ length: n }, (_, k) => prompts[(i + 1 + k) % prompts.length]);
      const answers = await Promise.all([target, ...others].map((p) => ask(endpoint, p, fields)));
      answers.forEach((a, k) => {
        const p = k === 0 ? target : others[k - 1];
        const expected = alone[prompts.indexOf(p)];
        checked++;
        if (a.text !== expected) violations.push(`${p.name} among ${n + 1} requests: ${quoted(a.text)}; alone: ${quoted(expected)}`);
      });
    }
    return { violations, checked, notes: [`${n + 1} requests in flight at once, ${prompts.length} rounds`] };
  },
};
