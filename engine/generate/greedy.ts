// Greedy decoding: prefill the prompt, then append the argmax token step by step, recording
// the top-k log-probabilities at every generated step. Deterministic: no sampling, no seeds.

import { RefuteError } from "../../core/errors.ts";
import { topK, type TokenLogprob } from "./logprobs.ts";
import type { Session } from "./session.ts";
import type { Kernels } from "../backends/kernels.ts";

export interface GreedyResult {
  tokens: number[];
  topk: TokenLogprob[][];
  finishReason: "stop" | "length"; // stop: it emitted an end token (the last of tokens); length: maxNewTokens reached
}

export interface GreedyOptions {
  maxNewTokens: number;
  topK?: number; // default 10; 0 records nothing
  stopTokens?: Pick<ReadonlySet<number>, "has">; // stop after emitting one of them; absent or empty: always maxNewTokens
}

export function greedy(session: Session, kernels: Kernels, prompt: number[], options: GreedyOptions): GreedyResult {
  if (prompt.length === 0) throw new RefuteError("EMPTY_PROMPT", "the prompt encodes to no tokens", {});
  const k = options.topK ?? 10;
  session.reset();
  let logits = session.prefill(prompt);
  const tokens: number[] = [];
  const steps: TokenLogprob[][] = [];
  const stop = options.stopTokens ?? new Set<number>();
  while (tokens.length < options.maxNewTokens) {
    const next = kernels.argmax(logits);
    tokens.push(next);
    if (k > 0) steps.push(topK(logits, k));
    if (stop.has(next)) return { tokens, topk: steps, finishReason: "stop" };
    if (tokens.length === options.maxNewTokens) break;
    logits = session.step(next) as Float32Array;
  }
  return { tokens, topk: steps, finishReason: "length" };
}
