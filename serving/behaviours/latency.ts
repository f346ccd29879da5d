// Time to first token and decode speed, measured (F-OLLAMA-003): the median over the prompts
// of the time from a streamed request to its first text, and the decode rate of the rest.
// The claim's prediction bounds the time to first token; the rate is reported beside it.

import { ask, type Behaviour, GREEDY } from "../behaviour.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const latency: Behaviour = {
  name: "latency",
  description: "median time to first token (ms), decode tokens per second reported",
  needs: ["stream"],
  async run({ endpoint, prompts, maxTokens }) {
    const firsts: number[] = [];
    const rates: number[] = [];
    for (const prompt of prompts) {
      const a = await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens }, true);
      if (a.firstTokenMs === undefined) continue;
      firsts.push(a.firstTokenMs);
      const tokens = a.completionTokens ?? a.events ?? 0;
      if (tokens > 1 && a.elapsedMs > a.firstTokenMs) rates.push(((tokens - 1) * 1000) / (a.elapsedMs - a.firstTokenMs));
    }
    const violations = firsts.length === 0 ? ["no streamed answer had any text"] : [];
    const ttft = firsts.length > 0 ? median(firsts) : Number.POSITIVE_INFINITY;
    const rate = rates.length > 0 ? median(rates) : null;
    return { violations, checked: firsts.length, value: ttft, notes: [`median time to first token ${ttft.toFixed(1)} ms; median decode ${rate === null ? "n/a" : `${rate.toFixed(1)} tokens/s`} over ${prompts.length} prompts`] };
  },
};
