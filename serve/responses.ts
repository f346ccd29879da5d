// The response bodies of refute serve, in the OpenAI shapes (with llama-server's extensions
// the http adapter reads ids from): a completion, a chat completion, and their streamed
// chunks. Token entries carry ids, text, bytes and alternatives (`logprobs.content`); the
// completion also has the legacy parallel arrays.

import type { CompletionLogprobs, ContentLogprob } from "../runtimes/openai.ts";
import type { TokenLogprob } from "../engine/generate/logprobs.ts";
import type { FinishReason } from "./decode-stream.ts";

export interface TokenEntry {
  token: number;
  logprob: number | null; // null: the first echoed prompt token has no prediction
  top: TokenLogprob[];
}

/** How one token reads: its text on its own, for logprob entries. */
export type PieceOf = (id: number) => string;

/** `value` as reported: the log-probability, or (the probabilities fault) its exponential. */
export type Reported = (logprob: number) => number;

export function contentEntry(e: TokenEntry, piece: PieceOf, reported: Reported): ContentLogprob {
  const text = piece(e.token);
  return {
    id: e.token,
    token: text,
    logprob: e.logprob === null ? null : reported(e.logprob),
    bytes: [...Buffer.from(text, "utf8")],
    top_logprobs: e.top.map((t) => ({ id: t.token, token: piece(t.token), logprob: reported(t.logprob), bytes: [...Buffer.from(piece(t.token), "utf8")] })),
  };
}

/** The completion's logprobs object: content entries and the legacy arrays (text_offset from the first entry's text). */
export function completionLogprobs(content: ContentLogprob[]): CompletionLogprobs {
  let offset = 0;
  const text_offset = content.map((e) => {
    const at = offset;
    offset += e.token.length;
    return at;
  });
  return {
    tokens: content.map((e) => e.token),
    token_logprobs: content.map((e) => e.logprob),
    top_logprobs: content.map((e) => (e.logprob === null ? null : Object.fromEntries(e.top_logprobs.map((t) => [t.token, t.logprob])))),
    text_offset,
    content,
  };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export interface ResponseHead {
  id: string;
  created: number;
  model: string;
}

export function completionBody(head: ResponseHead, text: string, tokens: number[], promptTokens: number[], logprobs: CompletionLogprobs | null, finish: FinishReason) {
  return {
    ...head,
    object: "text_completion",
    choices: [{ index: 0, text, tokens, prompt_tokens: promptTokens, logprobs, finish_reason: finish }],
    usage: usage(promptTokens.length, tokens.length),
  };
}

export function completionChunk(head: ResponseHead, text: string, tokens: number[], content: ContentLogprob[] | null, finish: FinishReason | null) {
  return { ...head, object: "text_completion", choices: [{ index: 0, text, tokens, logprobs: content ? { content } : null, finish_reason: finish }] };
}

export function chatBody(head: ResponseHead, text: string, tokens: number[], promptTokens: number[], content: ContentLogprob[] | null, finish: FinishReason) {
  return {
    ...head,
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content: text }, tokens, prompt_tokens: promptTokens, logprobs: content ? { content } : null, finish_reason: finish }],
    usage: usage(promptTokens.length, tokens.length),
  };
}

export function chatChunk(head: ResponseHead, delta: { role?: "assistant"; content?: string }, tokens: number[], content: ContentLogprob[] | null, finish: FinishReason | null) {
  return { ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta, tokens, logprobs: content ? { content } : null, finish_reason: finish }] };
}
