// `refute serve`: the embedded engine behind an OpenAI-compatible HTTP API, so the `http`
// adapter is tested against a real server and other tools can be pointed at the engine.
//
//   POST /v1/completions  greedy only (temperature 0), max_tokens exactly (EOS does not stop
//                         it, as in the oracle), logprobs 0..20, echo; prompt as text or ids
//   GET  /v1/models       the models served, each with what it is (refute: format, quant, files' sha256)
//   GET  /health          {"status": "ok"}
//   POST /tokenize        {"content": text[, "model": id]} -> {"tokens": ids} (llama-server's route)
//
// One model, or one model at several quantizations (--quant q8_0 --quant q4_0: ids
// <name>-q8_0 and <name>-q4_0); with several, a request names its model.
//
// Requests are validated and every problem is a 4xx with an OpenAI-style error body naming
// the field; bodies over the limit are refused (413) before they are read whole. The engine
// is synchronous, so requests are answered one at a time.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidArgumentError, Option } from "commander";
import { prepareSource } from "../engine/convert.ts";
import { type EngineOptions, EngineModel } from "../engine/model.ts";
import type { ModelSource } from "../engine/load.ts";
import { sha256File } from "../engine/model/native-convert.ts";
import { loadOptionsFor, openSource } from "../engine/open.ts";
import { scoreTokens } from "../runtimes/embedded.ts";
import { errorBody, type CompletionLogprobs, type CompletionResponse, type ContentLogprob, type ServedIdentity } from "../runtimes/openai.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { isModelPath, nameOfPath } from "../core/model-ref.ts";
import { FILE_QUANTS, type FileQuant } from "../core/vocabulary.ts";
import { kernelsFor, withBackendOptions, type BackendOptions } from "./backend.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { positiveInteger, repeatable } from "./options.ts";

export const MAX_LOGPROBS = 20;

/** One model behind the server. */
export interface ServedModel {
  name: string; // the id /v1/models lists and requests name
  model: EngineModel;
  /** What the model is (format, quant, source files' sha256): /v1/models says it, for clients to check. */
  identity?: ServedIdentity;
}

export interface ServeOptions {
  maxBodyBytes?: number; // default 1 MiB
}

/** The served model a request names: the only one when it names none, else the one of that id; 400/404 otherwise. */
export function pickModel(served: readonly ServedModel[], requested: unknown): ServedModel {
  const ids = served.map((s) => JSON.stringify(s.name)).join(", ");
  if (requested === undefined || requested === null) {
    if (served.length === 1) return served[0];
    throw new RequestError(400, `model is required: this server serves ${ids}`, "model");
  }
  const found = served.find((s) => s.name === requested);
  if (!found) throw new RequestError(404, `model ${JSON.stringify(requested)} is not served here; this server serves ${ids}`, "model", "not_found_error");
  return found;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
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
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RequestError(400, `request body is not JSON: ${(e as Error).message}`);
  }
}

interface CompletionParams {
  prompt: string | number[];
  maxTokens: number;
  logprobs: number | null;
  echo: boolean;
}

/** Validates a /v1/completions body; throws RequestError naming the field. */
export function parseCompletion(body: unknown, model: EngineModel): CompletionParams {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new RequestError(400, "request body must be a JSON object");
  const b = body as Record<string, unknown>;
  if (b.stream === true) throw new RequestError(400, "stream is not supported: responses are sent whole", "stream");
  if (b.n !== undefined && b.n !== 1) throw new RequestError(400, "n must be 1: greedy decoding has one answer", "n");
  if (b.best_of !== undefined && b.best_of !== 1) throw new RequestError(400, "best_of must be 1", "best_of");
  if (b.temperature !== undefined && b.temperature !== null && b.temperature !== 0) {
    throw new RequestError(400, `temperature must be 0: this server decodes greedily and does not sample (found ${JSON.stringify(b.temperature)})`, "temperature");
  }
  const stop = b.stop;
  if (stop !== undefined && stop !== null && !(Array.isArray(stop) && stop.length === 0)) {
    throw new RequestError(400, "stop is not supported: exactly max_tokens tokens are generated", "stop");
  }
  let prompt = b.prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && (typeof prompt[0] === "string" || Array.isArray(prompt[0]))) prompt = prompt[0]; // a batch of one
  const vocab = model.arch.vocabSize;
  if (Array.isArray(prompt)) {
    if (prompt.length === 0) throw new RequestError(400, "prompt is an empty list of token ids", "prompt");
    const bad = prompt.findIndex((t) => !Number.isInteger(t) || (t as number) < 0 || (t as number) >= vocab);
    if (bad >= 0) throw new RequestError(400, `prompt[${bad}] = ${JSON.stringify(prompt[bad])} is not a token id in [0, ${vocab})`, "prompt");
  } else if (typeof prompt !== "string" || prompt.length === 0) {
    throw new RequestError(400, "prompt must be a non-empty string or a list of token ids (one prompt per request)", "prompt");
  }
  const maxTokens = b.max_tokens ?? 16;
  if (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 0) throw new RequestError(400, `max_tokens must be an integer >= 0 (found ${JSON.stringify(b.max_tokens)})`, "max_tokens");
  const logprobs = b.logprobs ?? null;
  if (logprobs !== null && (!Number.isSafeInteger(logprobs) || (logprobs as number) < 0 || (logprobs as number) > MAX_LOGPROBS)) {
    throw new RequestError(400, `logprobs must be an integer from 0 to ${MAX_LOGPROBS} (found ${JSON.stringify(b.logprobs)})`, "logprobs");
  }
  if (b.echo !== undefined && typeof b.echo !== "boolean") throw new RequestError(400, "echo must be a boolean", "echo");
  return { prompt: prompt as string | number[], maxTokens: maxTokens as number, logprobs: logprobs as number | null, echo: b.echo === true };
}

let completionCounter = 0;

export function complete(model: EngineModel, modelName: string, p: CompletionParams): CompletionResponse {
  const promptTokens = typeof p.prompt === "string" ? model.encodePrompt(p.prompt) : p.prompt;
  if (promptTokens.length === 0) throw new RequestError(400, "the prompt encodes to no tokens", "prompt");
  if (promptTokens.length + p.maxTokens > model.arch.maxPositions) {
    throw new RequestError(400, `prompt (${promptTokens.length} tokens) + max_tokens (${p.maxTokens}) exceeds the model's context of ${model.arch.maxPositions}`, "max_tokens");
  }
  const k = p.logprobs ?? 0;
  const generated = p.maxTokens > 0 ? model.generateTokens(promptTokens, p.maxTokens, Math.max(k, 1)) : { tokens: [], topk: [] };
  const piece = (id: number) => model.tokenizer.decode([id]);
  const entries: ContentLogprob[] = [];
  const withTop = (id: number, logprob: number | null, top: { token: number; logprob: number }[]): ContentLogprob => ({
    id,
    token: piece(id),
    logprob,
    bytes: [...Buffer.from(piece(id), "utf8")],
    top_logprobs: top.slice(0, k).map((e) => ({ id: e.token, token: piece(e.token), logprob: e.logprob, bytes: [...Buffer.from(piece(e.token), "utf8")] })),
  });
  if (p.echo && p.logprobs !== null) {
    entries.push(withTop(promptTokens[0], null, []));
    for (const s of scoreTokens(model, promptTokens.slice(0, 1), promptTokens.slice(1), { topK: Math.max(k, 1) })) entries.push(withTop(s.token, s.logprob, s.topk));
  }
  generated.tokens.forEach((id, i) => entries.push(withTop(id, generated.topk[i].find((e) => e.token === id)?.logprob ?? null, generated.topk[i])));
  const text = (p.echo ? model.tokenizer.decode(promptTokens) : "") + model.tokenizer.decode(generated.tokens);
  let logprobs: CompletionLogprobs | null = null;
  if (p.logprobs !== null) {
    let offset = 0;
    const text_offset = entries.map((e) => {
      const at = offset;
      offset += e.token.length;
      return at;
    });
    logprobs = {
      tokens: entries.map((e) => e.token),
      token_logprobs: entries.map((e) => e.logprob),
      top_logprobs: entries.map((e) => (e.logprob === null ? null : Object.fromEntries(e.top_logprobs.map((t) => [t.token, t.logprob])))),
      text_offset,
      content: entries,
    };
  }
  return {
    id: `cmpl-refute-${++completionCounter}`,
    object: "text_completion",
    created: Math.floor(Date.now() / 1000),
    model: modelName,
    choices: [{ index: 0, text, tokens: generated.tokens, prompt_tokens: promptTokens, logprobs, finish_reason: "length" }],
    usage: { prompt_tokens: promptTokens.length, completion_tokens: generated.tokens.length, total_tokens: promptTokens.length + generated.tokens.length },
  };
}

/** The request body as an object (the model it names is picked from it); 400 otherwise. */
function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new RequestError(400, "request body must be a JSON object");
  return body as Record<string, unknown>;
}

/** The request handler around the loaded models. */
export function createCompletionServer(served: readonly ServedModel[], options: ServeOptions = {}): Server {
  const limit = options.maxBodyBytes ?? 1 << 20;
  const created = Math.floor(Date.now() / 1000);
  return createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    try {
      const route = `${req.method} ${path}`;
      switch (route) {
        case "GET /health":
          return send(res, 200, { status: "ok" });
        case "GET /v1/models":
          return send(res, 200, {
            object: "list",
            data: served.map((s) => ({ id: s.name, object: "model", created, owned_by: "refute", ...(s.identity ? { refute: s.identity } : {}) })),
          });
        case "POST /v1/completions": {
          const body = bodyObject(await readBody(req, limit));
          const { name, model } = pickModel(served, body.model);
          return send(res, 200, complete(model, name, parseCompletion(body, model)));
        }
        case "POST /tokenize": {
          const body = bodyObject(await readBody(req, limit));
          if (typeof body.content !== "string") throw new RequestError(400, "content must be a string", "content");
          return send(res, 200, { tokens: pickModel(served, body.model).model.tokenizer.encode(body.content) });
        }
      }
      const known = ["/health", "/v1/models", "/v1/completions", "/tokenize"];
      if (known.includes(path)) throw new RequestError(405, `${req.method} is not allowed on ${path}`);
      throw new RequestError(404, `no route ${path}; this server answers ${known.join(", ")}`, null, "not_found_error");
    } catch (e) {
      if (e instanceof RequestError) {
        if (e.status === 413) res.setHeader("connection", "close"); // the rest of the body is not read
        return send(res, e.status, errorBody(e.message, e.type, e.param));
      }
      return send(res, 500, errorBody(`internal error: ${(e as Error).message}`, "server_error"));
    }
  });
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

/** The model to serve, and what it is: quantized as the native format does when `quant` is given, else as loaded. */
export function loadServedModel(model: string, quant?: string, kernels?: Kernels, options: EngineOptions = {}): { model: EngineModel; identity: ServedIdentity } {
  const source = quant ? prepareSource(model, "native", quant) : openSource(model, loadOptionsFor(kernels));
  const files = source.files.map((f) => ({ path: f.path, sha256: sha256File(f.path) }));
  return { model: new EngineModel(source, kernels, undefined, options), identity: { format: source.format, quant: quant ?? dominantWeightType(source), files } };
}

/** The type most of a source's weight matrices have (norms and biases are f32 in every mix). */
function dominantWeightType(source: ModelSource): string {
  const counts = new Map<string, number>();
  for (const t of source.tensors.values()) if (t.shape.length === 2) counts.set(t.dtype, (counts.get(t.dtype) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "f32";
}

/** --port: a TCP port, 0 for a free one. */
function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) throw new InvalidArgumentError("Expected a port from 0 to 65535 (0: a free one).");
  return n;
}

interface ServeCommandOptions extends BackendOptions, ContractOption {
  model: string;
  name?: string;
  quant?: FileQuant[];
  port: number;
  host: string;
  maxBodyBytes: number;
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("serve", io)
    .description(
      "Serves the embedded engine over an OpenAI-compatible API: POST /v1/completions (greedy, logprobs, echo), GET /v1/models, GET /health, POST /tokenize.",
    )
    .requiredOption("--model <model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--name <id>", "the model's id in /v1/models and requests (default: the model's name, its base name for a path)")
    .addOption(
      repeatable(
        new Option("--quant <quant>", "quantize the model as the native format does (default: run it as loaded); repeatable: each quant is served as <name>-<quant>"),
        FILE_QUANTS,
      ),
    )
    .addOption(new Option("--port <port>", "the TCP port; 0 picks a free one").argParser(portNumber).default(8080))
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .addOption(new Option("--max-body-bytes <n>", "the largest request body accepted").argParser(positiveInteger).default(1 << 20));
  withContractOption(command);
  withBackendOptions(command);
  onRun(command, async (options: ServeCommandOptions) => {
    const engine = { skipContract: skipContract(options, io) };
    const kernels = await kernelsFor(options);
    const name = options.name ?? (isModelPath(options.model) ? nameOfPath(options.model) : options.model);
    const quants = [...new Set(options.quant ?? [])];
    const served: ServedModel[] =
      quants.length <= 1
        ? [{ name, ...loadServedModel(options.model, quants[0], kernels, engine) }]
        : quants.map((quant) => ({ name: `${name}-${quant}`, ...loadServedModel(options.model, quant, kernels, engine) }));
    const server = createCompletionServer(served, { maxBodyBytes: options.maxBodyBytes });
    const address = await listen(server, options.port, options.host);
    const models = served.map((s) => `${s.name} (${s.identity?.format} ${s.identity?.quant})`).join(", ");
    io.out(`refute serve: ${models} on http://${address.address}:${address.port}  (/v1/completions, /v1/models, /health, /tokenize)`);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => void Promise.resolve(kernels.close?.()).then(() => resolve()));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  });
  return runCommand(command, argv, io);
}
