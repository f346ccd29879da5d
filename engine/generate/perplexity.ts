// Perplexity with a sliding window, as Hugging Face's guide computes it: windows start every
// `stride` tokens; each window is run from an empty cache and scores only the tokens that the
// previous window did not (its last end - previousEnd positions). The first token is never
// scored, so tokensScored = n - 1.

import { RefuteError } from "../../core/errors.ts";
import { logSumExp } from "./logprobs.ts";
import type { Session } from "./session.ts";

export interface PerplexityResult {
  perplexity: number;
  nllSum: number;
  tokensScored: number;
  window: number;
  stride: number;
}

export function perplexity(session: Session, tokens: number[], window: number, stride: number, onWindow?: (done: number, total: number) => void): PerplexityResult {
  if (!(Number.isInteger(window) && Number.isInteger(stride) && stride > 0 && stride <= window)) {
    throw new RefuteError("PPL_BAD_WINDOW", `window ${window} and stride ${stride} must be integers with 0 < stride <= window`, { window, stride });
  }
  if (window > session.capacity) {
    throw new RefuteError("PPL_BAD_WINDOW", `window ${window} exceeds the model's ${session.capacity} positions`, { window });
  }
  if (tokens.length < 2) throw new RefuteError("PPL_TOO_SHORT", `perplexity needs at least 2 tokens, got ${tokens.length}`, {});
  let nllSum = 0;
  let scored = 0;
  let previousEnd = 0;
  const total = Math.ceil(tokens.length / stride);
  for (let begin = 0; begin < tokens.length; begin += stride) {
    const end = Math.min(begin + window, tokens.length);
    const targets = end - previousEnd; // the last `targets` tokens of the window are scored
    session.reset();
    // the window is one forward call of end - begin tokens, as the reference scores it (its
    // last token predicts nothing, so it is not run here)
    session.beginCall(end - begin);
    // the logits after token t score token t + 1, for the last `targets` tokens of the window
    session.forward(tokens.slice(begin, end - 1), Math.max(0, end - targets - 1 - begin), (i, logits) => {
      nllSum -= logits[tokens[begin + i + 1]] - logSumExp(logits);
      scored++;
    });
    onWindow?.(Math.floor(begin / stride) + 1, total);
    previousEnd = end;
    if (end === tokens.length) break;
  }
  return { perplexity: Math.exp(nllSum / scored), nllSum, tokensScored: scored, window, stride };
}
