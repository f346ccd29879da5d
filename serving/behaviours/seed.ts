// seed is honoured, not ignored (llama.cpp #6955): at temperature 2 the same seed gives the
// same sampled text twice, and among four different seeds at least two texts differ. The zoo's
// models are confident (top-1 margins of 5 nats and more on most steps), so the texts run to
// 64 tokens at the API's highest temperature: four seeds all drawing one text would then mean
// no sampling.

import { ask, type Behaviour, quoted } from "../behaviour.ts";

const SEEDS = [11, 12, 13, 14] as const;
const SAMPLED_TOKENS = 64;
// every token a candidate: servers' own defaults cut the tail (llama-server: top_k 40, top_p 0.95,
// min_p 0.05), which on models this confident leaves only the top token, and no seed could differ
const WHOLE_DISTRIBUTION = { top_k: 0, top_p: 1, min_p: 0 } as const;


export const seed: Behaviour = {
  name: "seed",
  description: "same seed: same sampled text; different seeds: different texts (temperature 2)",
  needs: ["seed"],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    for (const prompt of prompts) {
      const fields = (s: number) => ({ temperature: 2, ...WHOLE_DISTRIBUTION, seed: s, max_tokens: Math.max(maxTokens, SAMPLED_TOKENS) });
      const texts: string[] = [];
      for (const s of SEEDS) texts.push((await ask(endpoint, prompt, fields(s))).text);
      const again = (await ask(endpoint, prompt, fields(SEEDS[0]))).text;
      if (again !== texts[0]) violations.push(`${prompt.name}, seed ${SEEDS[0]}: ${quoted(texts[0])} then ${quoted(again)}`);
      if (new Set(texts).size === 1) violations.push(`${prompt.name}: seeds ${SEEDS.join(", ")} all gave ${quoted(texts[0])}`);
    }
    return { violations, checked: 2 * prompts.length, notes: [`temperature 2, top_k 0, top_p 1, min_p 0, ${SAMPLED_TOKENS} tokens, seeds ${SEEDS.join(", ")}`] };
  },
};
