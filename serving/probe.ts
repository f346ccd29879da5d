// What a server can do, asked before a serving claim relies on it: each feature is one small
// request, and a feature the server refuses or answers without is missing. A claim that needs
// a missing feature is blocked naming it, never falsified (the server may simply not offer
// it) and never skipped. Probed once per endpoint and model.

import type { ServingEndpoint } from "../runtimes/runtime.ts";
import { postJson, request, ServingError, streamed } from "./client.ts";

export const FEATURES = {
  completions: "POST /v1/completions answers a text prompt",
  chat: "POST /v1/chat/completions answers a conversation (the model's chat template)",
  stream: "stream: true answers with server-sent events ending in [DONE]",
  logprobs: "logprobs: N returns N alternatives per generated token",
  "token-ids": "the answer names each generated token's id",
  echo: "echo with logprobs returns the prompt's log-probabilities (forced decoding)",
  stop: "stop strings are accepted",
  seed: "seed is accepted",
  detokenize: "POST /detokenize turns ids into text",
  "apply-template": "POST /apply-template returns the chat template's render",
} as const;

export type Feature = keyof typeof FEATURES;

const probed = new Map<string, Promise<Set<Feature>>>();

async function works(ask: () => Promise<boolean>): Promise<boolean> {
  try {
    return await ask();
  } catch (e) {
    if (e instanceof ServingError) return false;
    throw e;
  }
}

async function probeAll(endpoint: ServingEndpoint): Promise<Set<Feature>> {
  const found = new Set<Feature>();
  const base = { prompt: "Hello", max_tokens: 2, temperature: 0 };
  if (await works(async () => typeof (await request(endpoint, "/v1/completions", base)).text === "string")) found.add("completions");
  if (await works(async () => typeof (await request(endpoint, "/v1/chat/completions", { messages: [{ role: "user", content: "Hello" }], max_tokens: 2, temperature: 0 })).text === "string")) found.add("chat");
  if (await works(async () => (await streamed(endpoint, "/v1/completions", base)).done === true)) found.add("stream");
  await works(async () => {
    const a = await request(endpoint, "/v1/completions", { ...base, logprobs: 2 });
    if (a.tokens.length > 0 && a.tokens.every((t) => t.top.length >= 2 && t.logprob !== null)) found.add("logprobs");
    if (a.ids !== null) found.add("token-ids");
    return true;
  });
  if (await works(async () => (await request(endpoint, "/v1/completions", { ...base, max_tokens: 1, echo: true, logprobs: 1 })).tokens.length >= 2)) found.add("echo");
  if (await works(async () => typeof (await request(endpoint, "/v1/completions", { ...base, stop: ["\n"] })).text === "string")) found.add("stop");
  if (await works(async () => typeof (await request(endpoint, "/v1/completions", { ...base, temperature: 1, seed: 1 })).text === "string")) found.add("seed");
  if (await works(async () => typeof ((await postJson(endpoint, "/detokenize", { tokens: [1] })) as { content?: unknown }).content === "string")) found.add("detokenize");
  if (await works(async () => typeof ((await postJson(endpoint, "/apply-template", { messages: [{ role: "user", content: "Hello" }] })) as { prompt?: unknown }).prompt === "string")) found.add("apply-template");
  return found;
}

/** The features the server behind `endpoint` has, probed once. */
export function features(endpoint: ServingEndpoint): Promise<Set<Feature>> {
  const key = JSON.stringify([endpoint.baseUrl, endpoint.model]);
  let found = probed.get(key);
  if (!found) {
    found = probeAll(endpoint);
    probed.set(key, found);
  }
  return found;
}

/** The features of `needed` the server lacks. */
export async function missingFeatures(endpoint: ServingEndpoint, needed: readonly Feature[]): Promise<Feature[]> {
  const found = await features(endpoint);
  return needed.filter((f) => !found.has(f));
}
