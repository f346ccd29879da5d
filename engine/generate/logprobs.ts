// Log-probabilities from logits, in float64: log p_i = l_i - (max + log sum exp(l - max)).

export interface TokenLogprob {
  token: number;
  logprob: number;
}

export function logSumExp(logits: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
}

/** The k most likely tokens, most likely first; ties keep the lower id first. */
export function topK(logits: Float32Array, k: number): TokenLogprob[] {
  const lse = logSumExp(logits);
  const best: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (best.length === k && logits[i] <= logits[best[k - 1]]) continue;
    let at = best.length < k ? best.length : k - 1;
    while (at > 0 && logits[best[at - 1]] < logits[i]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((token) => ({ token, logprob: logits[token] - lse }));
}
