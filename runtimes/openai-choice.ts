// The tokens of an OpenAI-style completion choice (or of a streamed chunk's choice), in the three
// forms servers give them: logprobs.content entries (chat completions, llama-server: id, token,
// logprob, top_logprobs), the legacy arrays (logprobs.tokens, token_logprobs, and top_logprobs
// as {token: logprob}, where vLLM names ids "token_id:N"), or bare ids (choice.tokens: refute
// serve, llama-server's return_tokens). Read here once for the openai runtime, which takes the
// first form that names every id, and the serving client, which takes whatever the first form
// says. A token's field a server left out or garbled is null, never a guess; an alternative's
// log-probability that is not a number is NaN, which every check of one refuses.

import { isRecord } from "../core/is-record.ts";

/** One alternative a server gave for a token's position. */
export interface ChoiceAlternative {
  id: number | null;
  text: string | null;
  logprob: number;
}

/** One token as a choice gives it. */
export interface ChoiceToken {
  id: number | null; // null where the server gives text only
  text: string | null;
  logprob: number | null;
  top: ChoiceAlternative[] | null; // most likely first; null where the server gave no alternatives
}

const TOKEN_ID = /^token_id:(\d+)$/;

const idOfName = (name: unknown): number | null => {
  const m = typeof name === "string" ? TOKEN_ID.exec(name) : null;
  return m ? Number(m[1]) : null;
};

const integerOrNull = (v: unknown): number | null => (Number.isInteger(v) ? (v as number) : null);

const byLikelihood = (a: ChoiceAlternative, b: ChoiceAlternative) => b.logprob - a.logprob;

/** logprobs.content: one record per token; an entry that is not one is a token with nothing known. */
function contentForm(content: unknown[]): ChoiceToken[] {
  return content.map((c) => {
    if (!isRecord(c)) return { id: null, text: null, logprob: null, top: null };
    const top = Array.isArray(c.top_logprobs)
      ? c.top_logprobs.filter(isRecord).map((t) => ({ id: integerOrNull(t.id), text: typeof t.token === "string" ? t.token : null, logprob: Number(t.logprob) }))
      : null;
    return { id: integerOrNull(c.id), text: typeof c.token === "string" ? c.token : null, logprob: typeof c.logprob === "number" ? c.logprob : null, top };
  });
}

/** The legacy arrays: tokens by name, their logprobs beside them, the alternatives as {name: logprob}. */
function legacyForm(lp: Record<string, unknown>, tokens: unknown[]): ChoiceToken[] {
  const logprobs = Array.isArray(lp.token_logprobs) ? lp.token_logprobs : [];
  const tops = Array.isArray(lp.top_logprobs) ? lp.top_logprobs : [];
  return tokens.map((t, i) => {
    const top = tops[i];
    return {
      id: idOfName(t),
      text: typeof t === "string" ? t : null,
      logprob: typeof logprobs[i] === "number" ? (logprobs[i] as number) : null,
      top: isRecord(top) ? Object.entries(top).map(([k, v]) => ({ id: idOfName(k), text: k, logprob: Number(v) })).sort(byLikelihood) : null,
    };
  });
}

/** The forms of tokens the choice carries, in that order: each only where present (bare ids only where every one is an integer). */
export function choiceTokenForms(choice: Record<string, unknown>): ChoiceToken[][] {
  const forms: ChoiceToken[][] = [];
  const lp = isRecord(choice.logprobs) ? choice.logprobs : null;
  if (lp && Array.isArray(lp.content)) forms.push(contentForm(lp.content));
  if (lp && Array.isArray(lp.tokens)) forms.push(legacyForm(lp, lp.tokens));
  if (Array.isArray(choice.tokens) && choice.tokens.every((t) => Number.isInteger(t))) forms.push((choice.tokens as number[]).map((id) => ({ id, text: null, logprob: null, top: null })));
  return forms;
}
