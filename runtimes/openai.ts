// The OpenAI-compatible /v1/completions protocol as refute speaks it, both ways: the `http`
// adapter sends these requests and reads these responses; `refute serve` answers them.
//
// Log-probabilities come in two shapes that servers use:
//   - llama-server's `logprobs.content`: one entry per token with its id, text, logprob and
//     top_logprobs [{id, token, logprob}] (refute serve writes this too);
//   - the legacy OpenAI shape: parallel arrays tokens / token_logprobs / top_logprobs (keyed by
//     token text); with vLLM's `return_tokens_as_token_ids` the texts read "token_id:123".
// Token ids are what claims compare, so a response is read for ids first; text alone is not
// enough for a token-level observation.

import { isRecord } from "../core/is-record.ts";
import { choiceTokenForms } from "./openai-choice.ts";
import type { TopKEntry } from "./runtime.ts";

export interface CompletionRequest {
  model?: string;
  prompt: string | number[];
  max_tokens: number;
  temperature: 0;
  logprobs?: number;
  echo?: boolean;
  /** vLLM: report tokens as "token_id:<id>"; other servers ignore it. */
  return_tokens_as_token_ids?: boolean;
}

export interface ContentLogprob {
  id: number;
  token: string;
  logprob: number | null; // null: the first echoed prompt token has no prediction
  bytes: number[];
  top_logprobs: { id: number; token: string; logprob: number; bytes: number[] }[];
}

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
  content: ContentLogprob[];
}

/**
 * Extension of refute serve's GET /v1/models entry (`refute`): what the served model is, so a
 * client can check that the server holds the subject it asks about before asking.
 */
export interface ServedIdentity {
  format: string; // as claims name it: safetensors, native, gguf
  quant: string; // the dominant type of its weight matrices: f32, q8_0, q4_0, ...
  files: { path: string; sha256: string }[]; // the model files it was loaded or prepared from
}

export interface CompletionResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: {
    index: number;
    text: string;
    /** Extension (as llama-server's /completion): the generated token ids. */
    tokens: number[];
    /** Extension: the prompt's token ids as the server ran them. */
    prompt_tokens: number[];
    logprobs: CompletionLogprobs | null;
    finish_reason: "length" | "stop";
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** One token of a response, as far as the server said: its id, its log p, its top-k. */
export interface ResponseToken {
  id: number;
  logprob: number | null;
  topk: TopKEntry[] | null; // null when the server gave no alternatives
}

/** The start of a value as JSON, for a message; a value JSON cannot print (nested too deep) says so. */
export function preview(v: unknown, length = 200): string {
  try {
    return String(JSON.stringify(v)).slice(0, length);
  } catch {
    return "(a value too deeply nested to print)";
  }
}

/**
 * The tokens of the first choice, from the first form of them that names every id, or null when
 * none does (a text-only server). Throws on a response that is not a completion at all.
 */
export function responseTokens(body: unknown): ResponseToken[] | null {
  if (!isRecord(body) || !Array.isArray(body.choices) || !isRecord(body.choices[0])) {
    throw new Error(`not a completion response: ${preview(body)}`);
  }
  const form = choiceTokenForms(body.choices[0]).find((tokens) => tokens.every((t) => t.id !== null));
  return (
    form?.map((t) => ({
      id: t.id as number,
      logprob: t.logprob,
      topk: t.top === null ? null : t.top.filter((e) => e.id !== null).map((e) => ({ token: e.id as number, logprob: e.logprob })),
    })) ?? null
  );
}

export function responseText(body: unknown): string {
  const choice = isRecord(body) && Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : null;
  return typeof choice?.text === "string" ? choice.text : "";
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}
