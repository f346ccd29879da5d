// Any OpenAI-compatible server as a subject (llama-server, vLLM, ollama, `refute serve`),
// through POST /v1/completions at temperature 0 with logprobs.
//
//   generate: the prompt, max_tokens N, logprobs k; the generated ids are read from the
//             response (runtimes/openai.ts says which shapes carry ids).
//   score:    forced decoding as the legacy API does it: prompt + tokens as one prompt,
//             max_tokens 0, echo, logprobs k; the echoed log p of each forced token. A server
//             without echo (llama-server): one request per step, the prefix with max_tokens 1,
//             the forced token's log p among the first generated token's alternatives.
//   tokenize: POST /tokenize {content} (llama-server's and refute serve's), else the engine's
//             tokenizer of the model when it is local.
//
// Tokenization is the server's by default (prompt "text"): generations send the prompt's
// text, and forced decoding and perplexity, which must send token ids, get them from the
// server's /tokenize. With prompt "ids" every prompt goes as ids of the model's local
// tokenizer, so a comparison is about the forward pass alone. An unreachable server is a
// BlockedError naming the URL, never a crash; a response body is read up to a limit.

import { statSync } from "node:fs";
import { BodyTooLarge, boundedBody } from "./bounded-body.ts";
import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import { shellLine } from "../core/shell-quote.ts";
import { splitCredentials } from "../core/url-credentials.ts";
import { modelLocation, refusalOf, servedEntry, type ServedSubject } from "../core/subject.ts";
import type { Capability } from "../core/vocabulary.ts";
import { openSource } from "../engine/open.ts";
import { tokenizerFromJson, type Tokenizer } from "../engine/tokenizer/tokenizer.ts";
import { perplexityWindows } from "./logits.ts";
import { checkEcho, checkGenerated, ProtocolError } from "./protocol-check.ts";
import { safeTensorsFiles } from "../engine/formats/safetensors/read.ts";
import { resolveModelPath } from "../engine/load.ts";
import { sha256File } from "../engine/model/native-convert.ts";
import { preview, responseText, responseTokens, type CompletionRequest, type ResponseToken, type ServedIdentity } from "./openai.ts";
import { BlockedError, requireServed, type ServingEndpoint, type Generation, type Perplexity, type Runtime, type ScoreOptions, type Scoring, type SubjectSpec } from "./runtime.ts";

export interface HttpOptions {
  name?: string; // the runtime's name in reports; default "http"
  baseUrl: string; // e.g. http://127.0.0.1:8080 (the /v1 paths are appended)
  /** The subjects behind the URL; any other subject is refused, never answered by this server's model. */
  serves?: ServedSubject[];
  /** Where `serves` was declared, for the refusal's reason (default "REFUTE_HTTP_SERVES"). */
  servesSource?: string;
  model?: string; // the name sent as `model`; default the subject's model
  promptAs?: "ids" | "text"; // default text: the server tokenizes
  timeoutMs?: number; // per request; default 120000
  maxBodyBytes?: number; // the largest response body read; default 16 MiB
  headers?: Record<string, string>; // sent with every request (values may be secrets: never reported)
  /** The headers as a reproduction shows them: the variable that holds a secret, never its value ("Bearer $TOKEN"). */
  headersShown?: Record<string, string>;
  topK?: number; // logprobs asked for in generations; default 10
}

/** A failure of the server itself (not of the network): it answered, with an error. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`${url} answered ${status}: ${body.slice(0, 300)}`);
    this.name = "HttpStatusError";
  }
}

export class HttpRuntime implements Runtime {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "chat-template", "perplexity", "serving"]);
  private readonly base: string;
  private readonly tokenizers = new Map<string, Tokenizer | null>();
  private serverTokenize: boolean | null = null; // unknown until asked
  private models: Promise<ListedModel[]> | undefined; // what /v1/models lists, asked once
  private readonly localHashes = new Map<string, string[] | null>(); // a local model's files' sha256, by model

  private readonly options: HttpOptions;

  constructor(options: HttpOptions) {
    // Credentials in the URL become the Authorization header (fetch refuses such URLs) and never appear again.
    const { url, authorization } = splitCredentials(options.baseUrl);
    const own = authorization && !Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === "authorization");
    this.options = own
      ? { ...options, baseUrl: url, headers: { ...options.headers, Authorization: authorization }, headersShown: { ...options.headersShown, Authorization: "Basic <the credentials of the configured URL>" } }
      : { ...options, baseUrl: url };
    this.base = url.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.name = options.name ?? "http";
  }

  serves(spec: SubjectSpec): string | null {
    return refusalOf(`${this.name} (${this.base})`, this.options.serves, this.options.servesSource ?? "REFUTE_HTTP_SERVES", spec);
  }

  /**
   * Where the server identifies its model (refute serve's /v1/models `refute` entry: format,
   * quant, its files' sha256), the subject must be it: the same format and quant, and, for a
   * model that is local, the same files. A server that does not say is taken at its declared
   * served list. Checked before a subject's first request; a mismatch blocks, naming both.
   */
  private async verifyIdentity(spec: SubjectSpec): Promise<void> {
    const identity = identityOf(await (this.models ??= this.askModels()), this.modelName(spec));
    if (!identity) return;
    const asked = `${spec.model} ${spec.format} ${spec.quant}`;
    if (identity.format !== spec.format || identity.quant !== spec.quant) {
      throw new BlockedError(`${this.name}: ${this.base}/v1/models says the server holds ${identity.format} ${identity.quant}; the check asks for ${asked}`);
    }
    const location = modelLocation(spec);
    if (!this.localHashes.has(location)) this.localHashes.set(location, localFileHashes(location));
    const local = this.localHashes.get(location)!;
    const served = new Set(identity.files.map((f) => f.sha256));
    if (local && (local.length !== served.size || local.some((h) => !served.has(h)))) {
      throw new BlockedError(`${this.name}: ${this.base}/v1/models says the server's model files have sha256 ${[...served].join(", ")}; ${spec.model}'s are ${local.join(", ")}: another model is behind the URL`);
    }
  }

  private async askModels(): Promise<ListedModel[]> {
    const body = (await this.get("/v1/models")) as { data?: unknown } | null;
    return Array.isArray(body?.data) ? (body.data as ListedModel[]) : [];
  }

  /** The `model` a request for this subject names: its served entry's name, else the runtime's model setting, else the subject's model. */
  private modelName(spec: SubjectSpec): string {
    return servedEntry(this.options.serves, spec)?.name ?? this.options.model ?? spec.model;
  }

  /** A request to the server; one that cannot reach it is a BlockedError naming the URL. */
  private async send(path: string, init: RequestInit = {}): Promise<{ url: string; response: Response }> {
    const url = this.base + path;
    try {
      const headers = { ...this.options.headers, ...(init.headers as Record<string, string> | undefined) };
      return { url, response: await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000) }) };
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new BlockedError(`${this.name}: cannot reach ${url} (${cause}): is the server running?`);
    }
  }

  /** GET path as JSON; null when the server has no such route or answers something else than JSON. */
  private async get(path: string): Promise<unknown> {
    const { url, response } = await this.send(path);
    if (!response.ok) return null;
    try {
      return JSON.parse(await boundedText(response, url, this.options.maxBodyBytes));
    } catch {
      return null;
    }
  }

  private localTokenizer(model: string): Tokenizer | null {
    if (!this.tokenizers.has(model)) {
      let tokenizer: Tokenizer | null = null;
      try {
        tokenizer = tokenizerFromJson(openSource(model).tokenizerJson);
      } catch {
        tokenizer = null; // not a local model: the server tokenizes
      }
      this.tokenizers.set(model, tokenizer);
    }
    return this.tokenizers.get(model)!;
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const { url, response } = await this.send(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await boundedText(response, url, this.options.maxBodyBytes);
    if (!response.ok) throw new HttpStatusError(response.status, url, text);
    try {
      return JSON.parse(text);
    } catch {
      throw new ProtocolError(url, `answered 200 with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** With prompt "ids": the model's local tokenizer, which then encodes every prompt; null with "text". */
  private localIds(spec: SubjectSpec): Tokenizer | null {
    if (this.options.promptAs !== "ids") return null;
    const tokenizer = this.localTokenizer(modelLocation(spec));
    if (!tokenizer) throw new BlockedError(`${this.name}: prompt "ids" needs the tokenizer of ${spec.model} locally`);
    return tokenizer;
  }

  /**
   * The ids a text is sent as where ids must be sent (forced decoding, perplexity): the local
   * tokenizer's with prompt "ids", else the server's own; a prompt with the special tokens the
   * model puts around one (a SentencePiece llama's BOS), a scored text without.
   */
  private async idsOf(spec: SubjectSpec, text: string, what: string, asPrompt: boolean): Promise<number[]> {
    const local = this.localIds(spec);
    if (local) return asPrompt ? local.encodePrompt(text) : local.encode(text);
    if (!(await this.hasServerTokenize(text, this.modelName(spec)))) throw new BlockedError(`${this.name}: ${what} sends token ids, and the server has no /tokenize to make them (set prompt: ids to use the local tokenizer)`);
    return this.serverTokens(text, this.modelName(spec), asPrompt);
  }

  /** The generation request as curl: what refute sent, with secret headers as their variables. */
  reproduction(spec: SubjectSpec, prompt: string, maxNewTokens: number): string {
    const ids = this.options.promptAs === "ids" ? (this.localTokenizer(modelLocation(spec))?.encodePrompt(prompt) ?? null) : null;
    const body: CompletionRequest = { model: this.modelName(spec), prompt: ids ?? prompt, temperature: 0, return_tokens_as_token_ids: true, max_tokens: maxNewTokens, logprobs: this.options.topK ?? 10 };
    const headers = Object.entries(this.options.headersShown ?? {}).map(([name, value]) => ["-H", `"${`${name}: ${value}`.replace(/["\\`]/g, "\\$&")}"`]);
    return [shellLine(["curl", "-sS", `${this.base}/v1/completions`, "-H", "content-type: application/json"]), ...headers.map((h) => h.join(" ")), shellLine(["-d", JSON.stringify(body)])].join(" ");
  }

  /** POST /v1/completions with a text or id prompt. */
  private complete(spec: SubjectSpec, prompt: string | number[], fields: Omit<CompletionRequest, "prompt" | "temperature" | "model">): Promise<unknown> {
    const model = this.modelName(spec);
    return this.post("/v1/completions", { model, prompt, temperature: 0, return_tokens_as_token_ids: true, ...fields } satisfies CompletionRequest).catch((e) => {
      throw this.unservedModel(e, model) ?? e;
    });
  }

  /** A 404 that names the model: the server does not serve the one asked for (a misconfiguration, not a refutation). */
  private unservedModel(e: unknown, model: string): BlockedError | null {
    if (!(e instanceof HttpStatusError && e.status === 404 && /model/i.test(e.body))) return null;
    return new BlockedError(`${this.name}: the server does not serve model ${JSON.stringify(model)} (${e.body.slice(0, 200)}); set the served subject's name to the id it lists in /v1/models`);
  }

  /** Whether the server answers POST /tokenize (asked once, with `probe` as the text). */
  private async hasServerTokenize(probe: string, model: string): Promise<boolean> {
    if (this.serverTokenize === null) {
      try {
        await this.serverTokens(probe, model);
        this.serverTokenize = true;
      } catch (e) {
        const unserved = this.unservedModel(e, model);
        if (unserved) throw unserved;
        if (!(e instanceof HttpStatusError && (e.status === 404 || e.status === 405))) throw e;
        this.serverTokenize = false;
      }
    }
    return this.serverTokenize;
  }

  private async serverTokens(text: string, model?: string, addSpecial = false): Promise<number[]> {
    const body = (await this.post("/tokenize", { content: text, add_special: addSpecial, ...(model ? { model } : {}) })) as { tokens?: unknown };
    if (!Array.isArray(body?.tokens) || !body.tokens.every((t) => Number.isInteger(t))) throw new ProtocolError(`${this.base}/tokenize`, `answered without a list of token ids: ${preview(body, 120)}`);
    return body.tokens as number[];
  }

  /** The server's own render of a conversation (POST /apply-template, llama-server's and refute serve's route); blocked where it has none. */
  async applyChatTemplate(spec: SubjectSpec, messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string | null> {
    await this.verifyIdentity(spec);
    const body = await this.post("/apply-template", { model: this.modelName(spec), messages, add_generation_prompt: addGenerationPrompt }).catch((e) => {
      if (e instanceof HttpStatusError && (e.status === 404 || e.status === 405)) throw new BlockedError(`${this.name}: the server has no /apply-template, so its chat template's render cannot be asked`);
      if (e instanceof HttpStatusError && e.status === 400 && /chat template/i.test(e.body)) return { prompt: null };
      throw e;
    });
    const prompt = (body as { prompt?: unknown }).prompt;
    if (prompt !== null && typeof prompt !== "string") throw new ProtocolError(`${this.base}/apply-template`, `answered without a prompt: ${preview(body)}`);
    return prompt;
  }

  /** The server's API for a serving claim: this URL, the subject's model name, the configured headers; `settings` as the caller says how the server runs. */
  async serving<T>(spec: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>, settings: ServingEndpoint["settings"] = {}): Promise<T> {
    requireServed(this, spec);
    await this.verifyIdentity(spec);
    return use({ baseUrl: this.base, model: this.modelName(spec), headers: { ...this.options.headers }, timeoutMs: this.options.timeoutMs ?? 120_000, maxBodyBytes: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, settings });
  }

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    await this.verifyIdentity(spec);
    if (await this.hasServerTokenize(text, this.modelName(spec))) return this.serverTokens(text, this.modelName(spec));
    // The subject's tokenization is the server's; a local tokenizer would be another subject's.
    throw new BlockedError(`${this.name}: the server has no /tokenize, so its tokenization cannot be observed`);
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    await this.verifyIdentity(spec);
    const ids = this.localIds(spec)?.encodePrompt(prompt) ?? null;
    const body = await this.complete(spec, ids ?? prompt, { max_tokens: maxNewTokens, logprobs: this.options.topK ?? 10 });
    const tokens = this.tokensOf(body);
    if (!tokens) {
      throw new BlockedError(`${this.name}: ${this.base} returned text without token ids (llama-server's logprobs.content or vLLM's return_tokens_as_token_ids carry them); token-level claims cannot run on text`);
    }
    checkGenerated(this.base, tokens, maxNewTokens);
    const promptTokens = ids ?? (await this.tokenize(spec, prompt).catch(() => []));
    return {
      promptTokens,
      tokens: tokens.map((t) => t.id),
      text: responseText(body),
      topk: tokens.every((t) => t.topk) ? tokens.map((t) => t.topk!) : [],
    };
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    await this.verifyIdentity(spec);
    const promptTokens = await this.idsOf(spec, prompt, "forced decoding", true);
    const echoed = await this.echo(spec, [...promptTokens, ...tokens], options.topK ?? 10).catch((e) => {
      if (e instanceof BlockedError && /does not echo/.test(e.reason)) return null;
      throw e;
    });
    if (!echoed) return { promptTokens, steps: await this.scoreByPrefixes(spec, promptTokens, tokens, options) };
    const steps = tokens.map((token, i) => {
      const at = echoed[promptTokens.length + i];
      if (at.logprob === null) throw new ProtocolError(this.base, `echoed forced token ${i} (id ${token}) without its log p`);
      const topk = at.topk ?? [];
      const candidates = options.candidates?.[i]?.map((c) => (c === token ? at.logprob : (topk.find((e) => e.token === c)?.logprob ?? null)));
      return { token, logprob: at.logprob, topk, ...(candidates ? { candidates } : {}) };
    });
    return { promptTokens, steps };
  }

  /**
   * Forced decoding without echo: for each step the prompt and the forced tokens before it,
   * max_tokens 1, and the first generated token's alternatives (the server's prompt cache makes
   * the shared prefix cheap). A forced token outside the alternatives has no log p to read.
   */
  private async scoreByPrefixes(spec: SubjectSpec, promptTokens: number[], tokens: number[], options: ScoreOptions): Promise<Scoring["steps"]> {
    const k = Math.max(options.topK ?? 10, PREFIX_TOP_K);
    const steps: Scoring["steps"] = [];
    for (const [i, token] of tokens.entries()) {
      const body = await this.complete(spec, [...promptTokens, ...tokens.slice(0, i)], { max_tokens: 1, logprobs: k });
      const topk = this.tokensOf(body)?.[0]?.topk;
      if (!topk) throw new BlockedError(`${this.name}: ${this.base} neither echoes prompt log-probs nor returns a generated token's alternatives with ids; forced decoding needs one of them`);
      const own = topk.find((e) => e.token === token);
      if (!own) throw new BlockedError(`${this.name}: forced token ${token} at step ${i} is outside the server's top ${k}, so its log p cannot be read without echo`);
      const candidates = options.candidates?.[i]?.map((c) => topk.find((e) => e.token === c)?.logprob ?? null);
      steps.push({ token, logprob: own.logprob, topk: topk.slice(0, options.topK ?? 10), ...(candidates ? { candidates } : {}) });
    }
    return steps;
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    await this.verifyIdentity(spec);
    const ids = await this.idsOf(spec, text, "perplexity", false);
    let nllSum = 0;
    let scored = 0;
    for (const w of perplexityWindows(ids.length, window, stride)) {
      const echoed = await this.echo(spec, ids.slice(w.begin, w.end), 1);
      for (let target = w.firstTarget; target < w.end; target++) {
        const logprob = echoed[target - w.begin].logprob;
        if (logprob === null) throw new ProtocolError(this.base, `echoed token ${target} of the text without its log p`);
        nllSum -= logprob;
        scored++;
      }
    }
    return { perplexity: Math.exp(nllSum / scored), tokensScored: scored, window, stride };
  }

  /** The server's log p of every token of an id prompt after the first (echo, max_tokens 0). */
  private async echo(spec: SubjectSpec, ids: number[], topK: number): Promise<ResponseToken[]> {
    const body = await this.complete(spec, ids, { max_tokens: 0, echo: true, logprobs: topK });
    const echoed = this.tokensOf(body);
    if (!echoed || echoed.length < ids.length) {
      throw new BlockedError(`http: ${this.base} does not echo prompt log-probs (echo with max_tokens 0); forced decoding and perplexity need them`);
    }
    // Servers echo the prompt and then max_tokens 0 generated tokens; some give one more: only the prompt's are compared.
    const prompt = echoed.slice(0, ids.length);
    checkEcho(this.base, prompt, ids);
    return prompt;
  }

  /** The response's tokens (null: text only); a body that is no completion response is a protocol error. */
  private tokensOf(body: unknown): ResponseToken[] | null {
    try {
      return responseTokens(body);
    } catch (e) {
      throw new ProtocolError(this.base, (e as Error).message);
    }
  }

  async close(): Promise<void> {}
}

/** sha256 of a local model's files (a directory's SafeTensors, or the file itself); null when the model is not local. */
function localFileHashes(model: string): string[] | null {
  let path: string;
  try {
    path = resolveModelPath(model);
  } catch {
    return null;
  }
  const files = statSync(path).isDirectory() ? safeTensorsFiles(path) : [path];
  return files.map(sha256File);
}

/** One entry of /v1/models; refute serve's carry what the model is. */
interface ListedModel {
  id?: unknown;
  refute?: ServedIdentity;
}

/** What the server says the model `name` is: its entry, or the only entry when one is listed; null when it does not say. */
function identityOf(listed: ListedModel[], name: string): ServedIdentity | null {
  const entry = listed.find((m) => m.id === name) ?? (listed.length === 1 ? listed[0] : undefined);
  const identity = entry?.refute;
  return identity && typeof identity.format === "string" && typeof identity.quant === "string" && Array.isArray(identity.files) ? identity : null;
}

const DEFAULT_MAX_BODY_BYTES = 16 << 20;
/** Alternatives asked per step in forced decoding without echo: the forced token and the oracle's top-10 must be among them. */
const PREFIX_TOP_K = 20;

/** The response body as text, refused past `max` bytes (a server is untrusted input: no unbounded read). */
async function boundedText(response: Response, url: string, max = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  try {
    return await boundedBody(response, max);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new ProtocolError(url, `answered ${e.message} (max_body_bytes)`);
    throw e;
  }
}
