// A small OpenAI-compatible client for the serving claims: JSON requests and server-sent-event
// streams against a ServingEndpoint, each bounded (a timeout per request, a cap on the bytes
// and events read), and the answers read into one shape whatever the server (refute serve,
// llama-server, vLLM): the text, the token ids where the server gives them, each token's
// log-probability and alternatives, and why it ended. A refusal (4xx/5xx) is a ServingError
// with the status and the start of the body; the network failing is one too, never a crash.

import { isRecord } from "../core/is-record.ts";
import { BodyTooLarge, boundedBody } from "../runtimes/bounded-body.ts";
import { type ChoiceAlternative, type ChoiceToken, choiceTokenForms } from "../runtimes/openai-choice.ts";
import type { ServingEndpoint } from "../runtimes/runtime.ts";

const MAX_EVENTS = 100_000;

export class ServingError extends Error {
  constructor(
    readonly path: string,
    readonly status: number | null, // null: no answer (network, timeout)
    message: string,
  ) {
    super(message);
    this.name = "ServingError";
  }
}

/** One token of an answer. */
export interface AnswerToken extends Omit<ChoiceToken, "top"> {
  top: ChoiceAlternative[]; // empty where the server gave no alternatives
}

export interface Answer {
  text: string;
  tokens: AnswerToken[]; // empty when the server reported neither ids nor logprobs
  ids: number[] | null; // the generated ids, where the server gave them for every token
  finishReason: string | null;
  completionTokens: number | null; // usage.completion_tokens, where given
  events?: number; // streamed: how many events carried a choice
  done?: boolean; // streamed: the stream ended with [DONE]
  firstTokenMs?: number; // streamed: time from the request to the first event with text
  elapsedMs: number;
}

async function send(endpoint: ServingEndpoint, path: string, body: unknown): Promise<Response> {
  try {
    return await fetch(endpoint.baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...endpoint.headers },
      body: JSON.stringify({ model: endpoint.model, ...(body as object) }),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new ServingError(path, null, `${endpoint.baseUrl}${path}: no answer (${cause})`);
  }
}

async function boundedText(response: Response, path: string, max: number): Promise<string> {
  try {
    return await boundedBody(response, max);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new ServingError(path, response.status, `${path}: ${e.message}`);
    throw e;
  }
}

/** POST path, the answer as JSON; a refusal or a body that is not JSON is a ServingError. */
export async function postJson(endpoint: ServingEndpoint, path: string, body: unknown): Promise<unknown> {
  const response = await send(endpoint, path, body);
  const text = await boundedText(response, path, endpoint.maxBodyBytes);
  if (!response.ok) throw new ServingError(path, response.status, `${path} answered ${response.status}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ServingError(path, response.status, `${path} answered a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** The tokens of one choice (or one chunk's choice): the first form it carries, alternatives [] where none were given. */
function choiceTokens(choice: Record<string, unknown>): AnswerToken[] {
  return (choiceTokenForms(choice)[0] ?? []).map((t) => ({ ...t, top: t.top ?? [] }));
}

function choiceText(choice: Record<string, unknown>): string {
  if (typeof choice.text === "string") return choice.text;
  const message = isRecord(choice.message) ? choice.message : isRecord(choice.delta) ? choice.delta : null;
  return typeof message?.content === "string" ? message.content : "";
}

function firstChoice(body: unknown, path: string): Record<string, unknown> {
  if (!isRecord(body) || !Array.isArray(body.choices) || !isRecord(body.choices[0])) throw new ServingError(path, 200, `${path}: not a completion: ${JSON.stringify(body).slice(0, 200)}`);
  return body.choices[0];
}

function idsOf(tokens: AnswerToken[]): number[] | null {
  return tokens.length > 0 && tokens.every((t) => t.id !== null) ? tokens.map((t) => t.id as number) : null;
}

/** A whole (not streamed) completion or chat completion. */
export async function request(endpoint: ServingEndpoint, path: string, body: Record<string, unknown>): Promise<Answer> {
  const started = performance.now();
  const json = await postJson(endpoint, path, { ...body, stream: false });
  const choice = firstChoice(json, path);
  const tokens = choiceTokens(choice);
  const usage = isRecord(json) && isRecord(json.usage) ? json.usage : null;
  return {
    text: choiceText(choice),
    tokens,
    ids: idsOf(tokens),
    finishReason: typeof choice.finish_reason === "string" ? choice.finish_reason : null,
    completionTokens: typeof usage?.completion_tokens === "number" ? usage.completion_tokens : null,
    elapsedMs: performance.now() - started,
  };
}

/** A streamed completion or chat completion, its events joined: text, tokens and the last finish reason. */
export async function streamed(endpoint: ServingEndpoint, path: string, body: Record<string, unknown>): Promise<Answer> {
  const started = performance.now();
  const response = await send(endpoint, path, { ...body, stream: true });
  if (!response.ok) throw new ServingError(path, response.status, `${path} answered ${response.status}: ${(await boundedText(response, path, 4096)).slice(0, 300)}`);
  const reader = response.body?.getReader();
  if (!reader) throw new ServingError(path, response.status, `${path}: a stream without a body`);
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let size = 0;
  let text = "";
  const tokens: AnswerToken[] = [];
  let finishReason: string | null = null;
  let completionTokens: number | null = null;
  let events = 0;
  let done = false;
  let firstTokenMs: number | undefined;
  const take = (line: string) => {
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (data === "[DONE]") {
      done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new ServingError(path, response.status, `${path}: a stream event that is not JSON: ${data.slice(0, 200)}`);
    }
    if (isRecord(json) && isRecord(json.usage) && typeof json.usage.completion_tokens === "number") completionTokens = json.usage.completion_tokens;
    if (!isRecord(json) || !Array.isArray(json.choices) || !isRecord(json.choices[0])) return;
    if (++events > MAX_EVENTS) throw new ServingError(path, response.status, `${path}: more than ${MAX_EVENTS} stream events`);
    const choice = json.choices[0];
    const delta = choiceText(choice);
    if (delta && firstTokenMs === undefined) firstTokenMs = performance.now() - started;
    text += delta;
    tokens.push(...choiceTokens(choice));
    if (typeof choice.finish_reason === "string") finishReason = choice.finish_reason;
  };
  while (!done) {
    const { done: ended, value } = await reader.read();
    if (ended) break;
    size += value.length;
    if (size > endpoint.maxBodyBytes) {
      await reader.cancel();
      throw new ServingError(path, response.status, `${path}: the stream exceeds ${endpoint.maxBodyBytes} bytes`);
    }
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) take(line);
  }
  if (!done) for (const line of (pending + decoder.decode()).split(/\r?\n/)) take(line);
  if (done) await reader.cancel().catch(() => {});
  return { text, tokens, ids: idsOf(tokens), finishReason, completionTokens, events, done, firstTokenMs, elapsedMs: performance.now() - started };
}
