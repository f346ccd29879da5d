// end-of-sequence: where and why the subject's greedy generation ended, as "stop after N
// tokens" (it emitted an end-of-sequence token after N others) or "length after N tokens" (it
// ran to max_new_tokens), compared with the oracle's. The end token itself is not counted: the
// engine returns it, OpenAI-compatible servers leave it out. A runtime that never honours EOS (ollama #3759,
// vLLM #4180) runs on past the oracle's stop; one that does not say why it stopped is blocked.

import { BlockedError } from "../runtimes/runtime.ts";
import { defineMeasure, NO_PARAMS } from "./measure.ts";

export const endOfSequence = defineMeasure({
  name: "end-of-sequence",
  description: "where and why greedy generation ended (stop at an end token, or length), compared with the oracle's",
  input: "prompt",
  needsAgainst: false,
  reference: "oracle",
  value: "text",
  oracle: () => "generations",
  needs: ["generate"],
  params: NO_PARAMS,
  quantity: () => "end of generation",
  async observe({ subject, prompts, generate, oracleGeneration }) {
    const [prompt] = prompts;
    const oracle = await oracleGeneration(subject.model, prompt);
    if (!oracle.finishReason) throw new BlockedError(`${oracle.source} does not say why the reference stopped (an oracle older than finish_reason: pnpm oracle regenerates it)`);
    const generation = await generate(subject, prompt);
    if (!generation.finishReason) throw new BlockedError(`the subject does not report why its generation ended (no finish reason)`);
    const ends = new Set(oracle.endTokenIds ?? []);
    const counted = (tokens: number[]) => tokens.length - (tokens.length > 0 && ends.has(tokens[tokens.length - 1]) ? 1 : 0);
    const observed = `${generation.finishReason} after ${counted(generation.tokens)} tokens`;
    const expected = `${oracle.finishReason} after ${counted(oracle.tokens)} tokens`;
    return {
      value: observed,
      reference: expected,
      summary: observed === expected ? `${observed}, as the oracle` : `${observed}; the oracle: ${expected}`,
      evidence: { identical: observed === expected ? [prompt.name] : [] },
    };
  },
});
