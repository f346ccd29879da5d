// refute serve's HTTP server: the embedded engine behind an OpenAI-compatible API.
//
//   POST /v1/completions       prompt (text or ids); greedy or seeded sampling; stop strings;
//                              logprobs 0..20 with echo (prompt logprobs: forced decoding);
//                              stream (server-sent events, UTF-8-safe deltas)
//   POST /v1/chat/completions  messages rendered with the model's own chat template; logprobs,
//                              top_logprobs; stream
//   GET  /v1/models            the models served, each with what it is (format, quant, sha256)
//   GET  /health               {"status": "ok"}
//   POST /tokenize             {content[, add_special]} -> {tokens}    (llama-server's routes)
//   POST /detokenize           {tokens} -> {content}
//   POST /apply-template       {messages[, add_generation_prompt]} -> {prompt}: the chat template's render
//
// Several requests are in flight at once, each decoding in its own session (KV cache) and
// yielding after every token, so their steps interleave. Bodies are bounded (413 before they
// are read whole), requests time out, a client that goes away stops its generation, and every
// refusal is an OpenAI-style error naming the field.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EngineModel } from "../engine/model.ts";
import { errorBody, type ContentLogprob, type ServedIdentity } from "../runtimes/openai.ts";
import { scoreTokens } from "../runtimes/embedded.ts";
import { decodeStream, ownSessions, type DecodeEnd, type DecodeStep, sharedSession, type SessionSource } from "./decode-stream.ts";
import { bodyObject, type DecodeParams, parseChat, parseCompletion } from "./params.ts";
import { RequestError } from "./request-error.ts";
import { chatBody, chatChunk, completionBody, completionChunk, completionLogprobs, contentEntry, type ResponseHead, type TokenEntry } from "./responses.ts";
import { NO_SERVE_HOOKS, type ServeHooks } from "./serve-hooks.ts";

/** One model behind the server. */
export interface ServedModel {
  name: string; // the id /v1/models lists and requests name
  model: EngineModel;
  /** What the model is (format, quant, source files' sha256): /v1/models says it, for clients to check. */
  identity?: ServedIdentity;
  /** The serving faults this model is served with (none: the clean server). */
  hooks?: ServeHooks;
}

export interface ServeOptions {
  maxBodyBytes?: number; // default 1 MiB
  requestTimeoutMs?: number; // default 120 s
}

/** The served model a request names: the only one when it names none, else the one of that id; 400/404 otherwise. */
export function pickModel<T extends { name: string }>(served: readonly T[], requested: unknown): T {
  const ids = served.map((s) => JSON.stringify(s.name)).join(", ");
  if (requested === undefined || requested === null) {
    if (served.length === 1) return served[0];
    throw new RequestError(400, `model is required: this server serves ${ids}`, "model");
  }
  const found = served.find((s) => s.name === requested);
  if (!found) throw new RequestError(404, `model ${JSON.stringify(requested)} is not served here; this server serves ${ids}`, "model", "not_found_error");
  return found;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new RequestError(413, `request body of ${declared} bytes exceeds the limit of ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestError(413, `request body exceeds the limit of ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new RequestError(400, `request body is not JSON: ${(e as Error).message}`);
  }
}

interface Live {
  served: ServedModel;
  hooks: ServeHooks;
  sessions: SessionSource;
}

let responseCounter = 0;

function head(prefix: string, model: string): ResponseHead {
  return { id: `${prefix}-refute-${++responseCounter}`, created: Math.floor(Date.now() / 1000), model };
}

function checkContext(model: EngineModel, promptTokens: number[], params: DecodeParams): void {
  if (promptTokens.length === 0) throw new RequestError(400, "the prompt encodes to no tokens", "prompt");
  if (promptTokens.length + params.maxTokens > model.arch.maxPositions) {
    throw new RequestError(400, `prompt (${promptTokens.length} tokens) + max_tokens (${params.maxTokens}) exceeds the model's context of ${model.arch.maxPositions}`, "max_tokens");
  }
}

/** What one generation sent: its steps and how it ended. */
interface Generated {
  steps: DecodeStep[];
  end: DecodeEnd;
  text: string;
}

/** Runs a generation, calling `onStep` per step; stops early (finish "length") when the client has gone. */
async function generate(live: Live, promptTokens: number[], params: DecodeParams, gone: () => boolean, onStep: (s: DecodeStep) => void): Promise<Generated> {
  const stream = decodeStream(live.served.model, live.sessions, promptTokens, params, live.hooks);
  const steps: DecodeStep[] = [];
  let text = "";
  for (;;) {
    const next = await stream.next();
    if (next.done) return { steps, end: next.value, text: text + next.value.text };
    steps.push(next.value);
    text += next.value.text;
    onStep(next.value);
    if (gone()) {
      await stream.return({ finishReason: "length", text: "" });
      return { steps, end: { finishReason: "length", text: "" }, text };
    }
  }
}

function reporter(live: Live) {
  const model = live.served.model;
  const piece = (id: number) => model.tokenizer.decode([id]);
  const reported = live.hooks.logprobsAsProbabilities ? Math.exp : (x: number) => x;
  return (e: TokenEntry): ContentLogprob => contentEntry(e, piece, reported);
}

function startEvents(res: ServerResponse): (data: unknown) => void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  return (data) => res.write(`data: ${JSON.stringify(data)}\n\n`);
}

async function completions(live: Live, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const model = live.served.model;
  const p = parseCompletion(body, model.arch.vocabSize, model.arch.maxPositions);
  if (p.stream && p.echo) throw new RequestError(400, "echo is not supported with stream", "echo");
  const promptTokens = typeof p.prompt === "string" ? model.encodePrompt(p.prompt) : p.prompt;
  checkContext(model, promptTokens, p);
  const entry = reporter(live);
  const h = head("cmpl", live.served.name);
  const withTop = (s: DecodeStep) => entry({ token: s.token, logprob: s.logprob, top: s.top });
  const gone = () => res.destroyed;
  if (p.stream) {
    const event = startEvents(res);
    const g = await generate(live, promptTokens, p, gone, (s) => event(completionChunk(h, s.text, [s.token], p.logprobs === null ? null : [withTop(s)], null)));
    event(completionChunk(h, g.end.text, [], null, g.end.finishReason));
    res.end("data: [DONE]\n\n");
    return;
  }
  const g = await generate(live, promptTokens, p, gone, () => {});
  const content: ContentLogprob[] = [];
  if (p.echo && p.logprobs !== null) {
    content.push(entry({ token: promptTokens[0], logprob: null, top: [] }));
    for (const s of scoreTokens(model, promptTokens.slice(0, 1), promptTokens.slice(1), { topK: Math.max(p.logprobs, 1) })) content.push(entry({ token: s.token, logprob: s.logprob, top: s.topk.slice(0, p.logprobs) }));
  }
  content.push(...g.steps.map(withTop));
  const text = (p.echo ? model.tokenizer.decode(promptTokens) : "") + g.text;
  send(res, 200, completionBody(h, text, g.steps.map((s) => s.token), promptTokens, p.logprobs === null ? null : completionLogprobs(content), g.end.finishReason));
}

function renderedChat(model: EngineModel, messages: { role: string; content: string }[], addGenerationPrompt = true): string {
  const rendered = model.renderChat(messages, addGenerationPrompt);
  if (rendered === null) throw new RequestError(400, "the model has no chat template (tokenizer_config.json's chat_template, GGUF's tokenizer.chat_template): use /v1/completions", "messages");
  return rendered;
}

async function chatCompletions(live: Live, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const model = live.served.model;
  const p = parseChat(body, model.arch.maxPositions);
  const promptTokens = model.encodePrompt(renderedChat(model, p.messages));
  checkContext(model, promptTokens, p);
  const entry = reporter(live);
  const h = head("chatcmpl", live.served.name);
  const withTop = (s: DecodeStep) => entry({ token: s.token, logprob: s.logprob, top: s.top });
  const gone = () => res.destroyed;
  if (p.stream) {
    const event = startEvents(res);
    event(chatChunk(h, { role: "assistant", content: "" }, [], null, null));
    const g = await generate(live, promptTokens, p, gone, (s) => event(chatChunk(h, { content: s.text }, [s.token], p.logprobs === null ? null : [withTop(s)], null)));
    event(chatChunk(h, g.end.text ? { content: g.end.text } : {}, [], null, g.end.finishReason));
    res.end("data: [DONE]\n\n");
    return;
  }
  const g = await generate(live, promptTokens, p, gone, () => {});
  send(res, 200, chatBody(h, g.text, g.steps.map((s) => s.token), promptTokens, p.logprobs === null ? null : g.steps.map(withTop), g.end.finishReason));
}

function tokenIds(body: Record<string, unknown>, vocab: number): number[] {
  const ids = body.tokens;
  if (!Array.isArray(ids) || ids.length > 1 << 20 || ids.some((t) => !Number.isInteger(t) || t < 0 || t >= vocab)) throw new RequestError(400, `tokens must be a list of token ids in [0, ${vocab})`, "tokens");
  return ids as number[];
}

const ROUTES = ["/health", "/v1/models", "/v1/completions", "/v1/chat/completions", "/tokenize", "/detokenize", "/apply-template"];

/** The request handler around the loaded models. */
export function createServingServer(served: readonly ServedModel[], options: ServeOptions = {}): Server {
  const limit = options.maxBodyBytes ?? 1 << 20;
  const created = Math.floor(Date.now() / 1000);
  const live: Live[] = served.map((s) => {
    const hooks = s.hooks ?? NO_SERVE_HOOKS;
    return { served: s, hooks, sessions: hooks.sharedKvCache ? sharedSession(s.model) : ownSessions(s.model) };
  });
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    try {
      const route = `${req.method} ${path}`;
      if (route === "GET /health") return send(res, 200, { status: "ok" });
      if (route === "GET /v1/models") {
        return send(res, 200, { object: "list", data: served.map((s) => ({ id: s.name, object: "model", created, owned_by: "refute", ...(s.identity ? { refute: s.identity } : {}) })) });
      }
      if (req.method === "POST" && ROUTES.includes(path) && path !== "/health" && path !== "/v1/models") {
        const body = bodyObject(await readBody(req, limit));
        const target = pickModel(live.map((l) => ({ name: l.served.name, live: l })), body.model).live;
        const model = target.served.model;
        switch (path) {
          case "/v1/completions":
            return await completions(target, body, res);
          case "/v1/chat/completions":
            return await chatCompletions(target, body, res);
          case "/tokenize": {
            if (typeof body.content !== "string") throw new RequestError(400, "content must be a string", "content");
            return send(res, 200, { tokens: body.add_special === true ? model.encodePrompt(body.content) : model.tokenizer.encode(body.content) });
          }
          case "/detokenize":
            return send(res, 200, { content: model.tokenizer.decode(tokenIds(body, model.arch.vocabSize)) });
          case "/apply-template": {
            const p = parseChat({ messages: body.messages }, model.arch.maxPositions);
            if (body.add_generation_prompt !== undefined && typeof body.add_generation_prompt !== "boolean") throw new RequestError(400, "add_generation_prompt must be a boolean", "add_generation_prompt");
            return send(res, 200, { prompt: renderedChat(model, p.messages, body.add_generation_prompt !== false) });
          }
        }
      }
      if (ROUTES.includes(path)) throw new RequestError(405, `${req.method} is not allowed on ${path}`);
      throw new RequestError(404, `no route ${path}; this server answers ${ROUTES.join(", ")}`, null, "not_found_error");
    } catch (e) {
      if (res.headersSent) return void res.end(); // a stream that failed midway ends; its client sees no [DONE]
      if (e instanceof RequestError) {
        if (e.status === 413) res.setHeader("connection", "close"); // the rest of the body is not read
        return send(res, e.status, errorBody(e.message, e.type, e.param));
      }
      return send(res, 500, errorBody(`internal error: ${(e as Error).message}`, "server_error"));
    }
  });
  server.requestTimeout = options.requestTimeoutMs ?? 120_000;
  return server;
}

/** Listens and resolves with the bound address (port 0: an ephemeral one). */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
