// The request bodies refute serve accepts, validated into what one generation needs. Every
// problem is a RequestError naming the field (400); nothing is ignored silently: a parameter
// this server cannot honour (n > 1, best_of, an unknown role) is refused, not dropped.
//
//   /v1/completions       prompt (text or ids), max_tokens, temperature, top_p, top_k, min_p, seed,
//                         stop, logprobs (0..20 alternatives), echo, stream
//   /v1/chat/completions  messages [{role, content}], the same sampling fields, logprobs (bool)
//                         with top_logprobs (0..20), stream

import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import { RequestError } from "./request-error.ts";
import type { SamplingParams } from "./sampler.ts";

export const MAX_LOGPROBS = 20;
export const MAX_STOP_STRINGS = 4;
const MAX_STOP_LENGTH = 256;
const MAX_MESSAGES = 256;
const DEFAULT_MAX_TOKENS = 16;
const ROLES = new Set(["system", "user", "assistant"]);

export interface DecodeParams {
  maxTokens: number;
  sampling: SamplingParams;
  stop: string[];
  logprobs: number | null; // alternatives per token; null: no logprobs asked
  stream: boolean;
}

export interface CompletionParams extends DecodeParams {
  prompt: string | number[];
  echo: boolean;
}

export interface ChatParams extends DecodeParams {
  messages: ChatMessage[];
}

type Body = Record<string, unknown>;

/** The body as an object; 400 otherwise. */
export function bodyObject(body: unknown): Body {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new RequestError(400, "request body must be a JSON object");
  return body as Body;
}

function given(b: Body, field: string): boolean {
  return b[field] !== undefined && b[field] !== null;
}

function integerIn(b: Body, field: string, min: number, max: number, fallback: number): number {
  if (!given(b, field)) return fallback;
  const v = b[field];
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) throw new RequestError(400, `${field} must be an integer from ${min} to ${max} (found ${JSON.stringify(v)})`, field);
  return v as number;
}

function numberIn(b: Body, field: string, min: number, max: number, fallback: number, minOpen = false): number {
  if (!given(b, field)) return fallback;
  const v = b[field];
  if (typeof v !== "number" || !Number.isFinite(v) || v > max || (minOpen ? v <= min : v < min)) {
    throw new RequestError(400, `${field} must be a number ${minOpen ? ">" : ">="} ${min} and <= ${max} (found ${JSON.stringify(v)})`, field);
  }
  return v;
}

function stopStrings(b: Body): string[] {
  if (!given(b, "stop")) return [];
  const stop = typeof b.stop === "string" ? [b.stop] : b.stop;
  if (!Array.isArray(stop) || stop.length > MAX_STOP_STRINGS || stop.some((s) => typeof s !== "string" || s.length === 0 || s.length > MAX_STOP_LENGTH)) {
    throw new RequestError(400, `stop must be a string or a list of at most ${MAX_STOP_STRINGS} non-empty strings of at most ${MAX_STOP_LENGTH} characters`, "stop");
  }
  return stop as string[];
}

/** The fields both endpoints share; `maxTokensLimit` is the model's context. */
function decodeParams(b: Body, maxTokensLimit: number, logprobs: number | null): DecodeParams {
  if (given(b, "n") && b.n !== 1) throw new RequestError(400, "n must be 1: one answer per request", "n");
  if (given(b, "best_of") && b.best_of !== 1) throw new RequestError(400, "best_of must be 1", "best_of");
  if (given(b, "stream") && typeof b.stream !== "boolean") throw new RequestError(400, "stream must be a boolean", "stream");
  const budgetField = given(b, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  const maxTokens = integerIn(b, budgetField, 0, Number.MAX_SAFE_INTEGER, Math.min(DEFAULT_MAX_TOKENS, maxTokensLimit));
  if (maxTokens > maxTokensLimit) throw new RequestError(400, `${budgetField} (${maxTokens}) exceeds the model's context of ${maxTokensLimit}`, budgetField);
  const temperature = numberIn(b, "temperature", 0, 2, 1);
  const sampling: SamplingParams = {
    temperature,
    topK: integerIn(b, "top_k", 0, 1 << 20, 0),
    topP: numberIn(b, "top_p", 0, 1, 1, true),
    minP: numberIn(b, "min_p", 0, 1, 0),
    seed: given(b, "seed") ? integerIn(b, "seed", -(2 ** 53) + 1, 2 ** 53 - 1, 0) : null,
  };
  return { maxTokens, sampling, stop: stopStrings(b), logprobs, stream: b.stream === true };
}

/** A /v1/completions body; `vocab` bounds token ids, `context` max_tokens. */
export function parseCompletion(body: unknown, vocab: number, context: number): CompletionParams {
  const b = bodyObject(body);
  let prompt = b.prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && (typeof prompt[0] === "string" || Array.isArray(prompt[0]))) prompt = prompt[0]; // a batch of one
  if (Array.isArray(prompt)) {
    if (prompt.length === 0) throw new RequestError(400, "prompt is an empty list of token ids", "prompt");
    const bad = prompt.findIndex((t) => !Number.isInteger(t) || (t as number) < 0 || (t as number) >= vocab);
    if (bad >= 0) throw new RequestError(400, `prompt[${bad}] = ${JSON.stringify(prompt[bad])} is not a token id in [0, ${vocab})`, "prompt");
  } else if (typeof prompt !== "string" || prompt.length === 0) {
    throw new RequestError(400, "prompt must be a non-empty string or a list of token ids (one prompt per request)", "prompt");
  }
  if (given(b, "echo") && typeof b.echo !== "boolean") throw new RequestError(400, "echo must be a boolean", "echo");
  const logprobs = given(b, "logprobs") ? integerIn(b, "logprobs", 0, MAX_LOGPROBS, 0) : null;
  return { ...decodeParams(b, context, logprobs), prompt: prompt as string | number[], echo: b.echo === true };
}

/** A /v1/chat/completions body. */
export function parseChat(body: unknown, context: number): ChatParams {
  const b = bodyObject(body);
  const messages = b.messages;
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_MESSAGES) throw new RequestError(400, `messages must be a list of 1 to ${MAX_MESSAGES} messages`, "messages");
  messages.forEach((m, i) => {
    const ok = typeof m === "object" && m !== null && ROLES.has((m as Body).role as string) && typeof (m as Body).content === "string";
    if (!ok) throw new RequestError(400, `messages[${i}] must be {"role": "system" | "user" | "assistant", "content": a string}`, `messages[${i}]`);
  });
  if (given(b, "logprobs") && typeof b.logprobs !== "boolean") throw new RequestError(400, "logprobs must be a boolean", "logprobs");
  if (given(b, "top_logprobs") && b.logprobs !== true) throw new RequestError(400, "top_logprobs needs logprobs: true", "top_logprobs");
  const logprobs = b.logprobs === true ? integerIn(b, "top_logprobs", 0, MAX_LOGPROBS, 0) : null;
  const chat = (messages as Body[]).map((m) => ({ role: m.role as string, content: m.content as string }));
  return { ...decodeParams(b, context, logprobs), messages: chat };
}
