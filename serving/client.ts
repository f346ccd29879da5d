// A small OpenAI-compatible client for the serving claims: JSON requests and server-sent-event
// streams against a ServingEndpoint, each bounded (a timeout per request, a cap on the bytes
// and events read), and the answers read into one shape whatever the server (refute serve,
// llama-server, vLLM): the text, the token ids where the server gives them, each token's
// log-probability and alternatives, and why it ended. A refusal (4xx/5xx) is a ServingError
// with the status and the start of the body; the network failing is one too, never a crash.

import { BodyTooLarge, boundedBody } from "../runtimes/bounded-body.ts";
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
export interface AnswerToken {
  id: number | null; // null where the server gives text only
  text: string | null;
  logprob: number | null;
  top: { id: number | null; text: string | null; logprob: number }[];
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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const TOKEN_ID = /^token_id:(\d+)$/;

/** The tokens of one choice (or one chunk's choice): logprobs.content entries, else the legacy arrays, else bare ids. */
function choiceTokens(choice: Record<string, unknown>): AnswerToken[] {
  const lp = isRecord(choice.logprobs) ? choice.logprobs : null;
  if (lp && Array.isArray(lp.content)) {
    return lp.content.filter(isRecord).map((c) => ({
      id: Number.isInteger(c.id) ? (c.id as number) : null,
      text: typeof c.token === "string" ? c.token : null,
      logprob: typeof c.logprob === "number" ? c.logprob : null,
      top: Array.isArray(c.top_logprobs)
        ? c.top_logprobs.filter(isRecord).map((t) => ({ id: Number.isInteger(t.id) ? (t.id as number) : null, text: typeof t.token === "string" ? t.token : null, logprob: Number(t.logprob) }))
        : [],
    }));
  }
  if (lp && Array.isArray(lp.tokens)) {
    const logprobs = Array.isArray(lp.token_logprobs) ? lp.token_logprobs : [];
    const tops = Array.isArray(lp.top_logprobs) ? lp.top_logprobs : [];
    return lp.tokens.map((t, i) => {
      const m = typeof t === "string" ? TOKEN_ID.exec(t) : null;
      const top = isRecord(tops[i]) ? Object.entries(tops[i] as Record<string, unknown>).map(([k, v]) => ({ id: TOKEN_ID.test(k) ? Number(TOKEN_ID.exec(k)![1]) : null, text: k, logprob: Number(v) })) : [];
      return { id: m ? Number(m[1]) : null, text: typeof t === "string" ? t : null, logprob: typeof logprobs[i] === "number" ? (logprobs[i] as number) : null, top: top.sort((a, b) => b.logprob - a.logprob) };
    });
  }
  if (Array.isArray(choice.tokens) && choice.tokens.every((t) => Number.isInteger(t))) return (choice.tokens as number[]).map((id) => ({ id, text: null, logprob: null, top: [] }));
  return [];
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
