// What a serving behaviour is: the server features it needs (probed first: a missing one
// blocks), and a run that sends its requests and lists every violation it saw. One violation
// falsifies the claim; none corroborates it. Behaviours ask for greedy answers unless they are
// about sampling, and name the prompt and request in each violation, so a finding reproduces.

import type { PromptRef } from "../measures/measure.ts";
import type { ServingEndpoint } from "../runtimes/runtime.ts";
import { BlockedError } from "../runtimes/runtime.ts";
import { type Answer, request, ServingError, streamed } from "./client.ts";
import { FEATURES, type Feature, missingFeatures } from "./probe.ts";

export interface BehaviourInput {
  endpoint: ServingEndpoint;
  prompts: PromptRef[];
  maxTokens: number;
  /** requests in flight at once (concurrency) */
  concurrency: number;
}

export interface BehaviourResult {
  violations: string[];
  checked: number; // the comparisons made
  notes: string[];
  /** a measured number the claim's prediction judges instead of the violation count (latency) */
  value?: number;
}

export interface Behaviour {
  name: string;
  description: string;
  /** the features of every prompt's request; chat prompts add "chat" */
  needs: readonly Feature[];
  run(input: BehaviourInput): Promise<BehaviourResult>;
}

/** Greedy decoding's request fields. */
export const GREEDY = { temperature: 0 } as const;

/** The path and body that ask for `prompt`: a completion of its text, or a chat completion of its conversation. */
export function requestFor(prompt: PromptRef, fields: Record<string, unknown>): { path: string; body: Record<string, unknown> } {
  if (prompt.messages) {
    const { logprobs, ...rest } = fields;
    const chatLogprobs = typeof logprobs === "number" ? { logprobs: true, top_logprobs: logprobs } : {};
    return { path: "/v1/chat/completions", body: { messages: prompt.messages, ...rest, ...chatLogprobs } };
  }
  return { path: "/v1/completions", body: { prompt: prompt.text, ...fields } };
}

/** One answer to `prompt`, whole or streamed. */
export function ask(endpoint: ServingEndpoint, prompt: PromptRef, fields: Record<string, unknown>, stream = false): Promise<Answer> {
  const { path, body } = requestFor(prompt, fields);
  return stream ? streamed(endpoint, path, body) : request(endpoint, path, body);
}

/** The features a behaviour needs for these prompts. */
export function neededFor(behaviour: Behaviour, prompts: readonly PromptRef[]): Feature[] {
  const needs = new Set<Feature>(behaviour.needs);
  for (const p of prompts) needs.add(p.messages ? "chat" : "completions");
  return [...needs];
}

/** A text for a violation line: quoted, cut at 80 characters. */
export function quoted(text: string): string {
  const chars = [...text]; // code points: a cut never splits a surrogate pair
  return chars.length > 80 ? `${JSON.stringify(chars.slice(0, 80).join("")).slice(0, -1)}…"` : JSON.stringify(text);
}

/**
 * A behaviour observed on a server: the features it needs probed first (a missing one blocks,
 * naming it), then its run; a request the server then refuses is one more violation.
 */
export async function observeBehaviour(behaviour: Behaviour, input: BehaviourInput): Promise<BehaviourResult> {
  const missing = await missingFeatures(input.endpoint, neededFor(behaviour, input.prompts));
  if (missing.length > 0) throw new BlockedError(`the server lacks ${missing.map((f) => `'${f}' (${FEATURES[f]})`).join(", ")}, which ${behaviour.name} needs`);
  try {
    return await behaviour.run(input);
  } catch (e) {
    if (!(e instanceof ServingError)) throw e;
    return { violations: [`the server failed a request its probe had accepted: ${e.message}`], checked: 0, notes: [] };
  }
}
