// One request's generation as a stream of steps, each with its token, its log-probability
// under the model's raw distribution (before temperature, top-k and top-p: what "logprobs"
// means in llama.cpp's post-#10783 raw mode and in OpenAI's API), its alternatives and the
// text it adds (UTF-8-safe, stop strings held back). Each request decodes in its own session,
// with its own KV cache, and yields to the event loop after every token, so requests in
// flight at once interleave, as a batching server's do. The end token is not part of the
// answer (OpenAI-compatible servers leave it out): it ends the stream with finish "stop".

import { logSumExp, type TokenLogprob, topK } from "../engine/generate/logprobs.ts";
import type { Session } from "../engine/generate/session.ts";
import type { EngineModel } from "../engine/model.ts";
import { StreamingDecoder } from "../engine/tokenizer/streaming-decoder.ts";
import type { DecodeParams } from "./params.ts";
import { makeSampler } from "./sampler.ts";
import { type ServeHooks, NO_SERVE_HOOKS } from "./serve-hooks.ts";
import { StopMatcher } from "./stop-strings.ts";

export interface DecodeStep {
  token: number;
  logprob: number | null; // log p of the token under the raw distribution; null where no logprobs were asked
  top: TokenLogprob[]; // the `logprobs` most likely tokens, most likely first (empty when none asked)
  text: string; // the answer's text this step adds ("" while a character or a possible stop string is pending)
}

export type FinishReason = "stop" | "length";

export interface DecodeEnd {
  finishReason: FinishReason;
  text: string; // the text still pending at the end (a held-back tail that turned out not to stop)
}

/** Where a model's decoding runs: a fresh session per request, or (the shared-cache fault) one for all. */
export interface SessionSource {
  open(capacity: number): Session;
  close(session: Session): void;
}

export function ownSessions(model: EngineModel): SessionSource {
  return { open: (capacity) => model.session(capacity), close: (s) => s.dispose() };
}

/** The shared-KV-cache fault: every request decodes in the same session, reset at its prefill. */
export function sharedSession(model: EngineModel): SessionSource {
  let shared: Session | null = null;
  return {
    open: () => {
      shared ??= model.session(model.arch.maxPositions);
      return shared;
    },
    close: () => {},
  };
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
let fallbackSeeds = 0x9e3779b9;
const serverSeed = () => (fallbackSeeds = (fallbackSeeds * 1664525 + 1013904223) >>> 0);

/** Decodes `promptTokens` as `params` asks, one step per yield. */
export async function* decodeStream(
  model: EngineModel,
  sessions: SessionSource,
  promptTokens: number[],
  params: DecodeParams,
  hooks: ServeHooks = NO_SERVE_HOOKS,
): AsyncGenerator<DecodeStep, DecodeEnd> {
  const maxTokens = params.maxTokens + (hooks.maxTokensExtra ?? 0);
  const sampling = hooks.seedIgnored ? { ...params.sampling, seed: null } : params.sampling;
  const sample = makeSampler(sampling, (l) => model.kernels.argmax(l), serverSeed);
  const stops = new StopMatcher(hooks.stopIgnored ? [] : params.stop);
  const decoder = hooks.streamPerToken && params.stream ? new StreamingDecoder(model.tokenizer, true) : model.streamingDecoder();
  if (maxTokens === 0) return { finishReason: "length", text: "" };
  const session = sessions.open(Math.min(model.arch.maxPositions, promptTokens.length + maxTokens));
  try {
    session.reset();
    let logits = session.prefill(promptTokens);
    for (let n = 0; n < maxTokens; n++) {
      const token = sample(logits);
      if (model.endTokens.has(token)) return { finishReason: "stop", text: stops.push(decoder.flush()).text + stops.flush() };
      // a pass over the vocabulary each, so only where the request asked for logprobs
      const logprob = params.logprobs === null ? null : logits[token] - logSumExp(logits);
      const top = params.logprobs ? topK(logits, params.logprobs) : [];
      const { text, stopped } = stops.push(decoder.push(token));
      yield { token, logprob, top, text };
      if (stopped) return { finishReason: "stop", text: "" };
      if (n + 1 === maxTokens) break;
      await nextTick();
      logits = session.step(token) as Float32Array;
    }
    const tail = stops.push(decoder.flush());
    return { finishReason: tail.stopped ? "stop" : "length", text: tail.text + (tail.stopped ? "" : stops.flush()) };
  } finally {
    sessions.close(session);
  }
}
