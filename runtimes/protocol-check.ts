// What a server returns is data only once it is a valid answer: a token id is an integer in
// [0, MAX_TOKEN_ID], a log-probability is finite and at most 0 (a float32 server's rounding
// may reach a hair above: LOGPROB_SLACK), and a generation has at most the tokens asked for,
// an echo exactly the tokens sent. Anything else is a protocol error: the check that asked is
// blocked, naming the first offence, never fed with negative ids or a log p of +Inf.

import { BlockedError } from "./runtime.ts";
import type { ResponseToken } from "./openai.ts";

/** The largest vocabulary an id may index (2^22 entries, as the engine's own bound). */
export const MAX_TOKEN_ID = (1 << 22) - 1;
const LOGPROB_SLACK = 1e-4;

export class ProtocolError extends BlockedError {
  constructor(server: string, what: string) {
    super(`protocol error: ${server} ${what}`);
  }
}

function badId(id: unknown): boolean {
  return typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID;
}

function badLogprob(lp: unknown): boolean {
  return typeof lp !== "number" || !Number.isFinite(lp) || lp > LOGPROB_SLACK;
}

/** Throws ProtocolError at the first token whose id or log p (or top-k entry's) is not valid. */
export function checkTokens(server: string, tokens: readonly ResponseToken[]): void {
  tokens.forEach((t, i) => {
    if (badId(t.id)) throw new ProtocolError(server, `returned token ${i} with id ${JSON.stringify(t.id)} (expected an integer in [0, ${MAX_TOKEN_ID}])`);
    if (t.logprob !== null && badLogprob(t.logprob)) throw new ProtocolError(server, `returned token ${i} with log p ${JSON.stringify(t.logprob)} (expected a finite number <= 0)`);
    for (const e of t.topk ?? []) {
      if (badId(e.token) || badLogprob(e.logprob)) throw new ProtocolError(server, `returned a top-k entry of token ${i} as ${JSON.stringify(e)} (expected an id in [0, ${MAX_TOKEN_ID}] and a finite log p <= 0)`);
    }
  });
}

/** A generation of at most `max` tokens. */
export function checkGenerated(server: string, tokens: readonly ResponseToken[], max: number): void {
  if (tokens.length > max) throw new ProtocolError(server, `returned ${tokens.length} tokens for max_tokens ${max}`);
  checkTokens(server, tokens);
}

/** An echo of exactly the `sent` ids, in order. */
export function checkEcho(server: string, tokens: readonly ResponseToken[], sent: readonly number[]): void {
  checkTokens(server, tokens);
  const differs = sent.findIndex((id, i) => tokens[i]?.id !== id);
  if (tokens.length !== sent.length || differs >= 0) {
    throw new ProtocolError(server, `echoed ${tokens.length} tokens for the ${sent.length} sent${differs >= 0 ? `; token ${differs} came back as ${JSON.stringify(tokens[differs]?.id)}, not ${sent[differs]}` : ""}`);
  }
}
