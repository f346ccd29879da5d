// Any OpenAI-compatible server as a subject (llama-server, vLLM, ollama, `refute serve`),
// through POST /v1/completions at temperature 0 with logprobs.
//
//   generate: the prompt, max_tokens N, logprobs k; the generated ids are read from the
//             response (runtimes/openai.ts says which shapes carry ids).
//   score:    forced decoding as the legacy API does it: prompt + tokens as one prompt,
//             max_tokens 0, echo, logprobs k; the echoed log p of each forced token.
//   tokenize: POST /tokenize {content} (llama-server's and refute serve's), else the engine's
//             tokenizer of the model when it is local.
//
// Prompts go as token ids (the engine's tokenization of the model, when the model is local),
// so a comparison is about the forward pass; a server that refuses id prompts (400/422) gets
// text from then on. An unreachable server is a BlockedError naming the URL, never a crash.

import { statSync } from "node:fs";
import { refusalOf, type ServedSubject } from "../core/subject.ts";
import type { Capability } from "../core/vocabulary.ts";
import { openSource } from "../engine/open.ts";
import { tokenizerFromJson, type Tokenizer } from "../engine/tokenizer/tokenizer.ts";
import { perplexityWindows } from "./logits.ts";
import { safeTensorsFiles } from "../engine/formats/safetensors/read.ts";
import { resolveModelPath } from "../engine/load.ts";
import { sha256File } from "../engine/model/native-convert.ts";
import { responseText, responseTokens, type CompletionRequest, type ResponseToken, type ServedIdentity } from "./openai.ts";
import { BlockedError, type Generation, type Perplexity, type Runtime, type ScoreOptions, type Scoring, type SubjectSpec } from "./runtime.ts";

export interface HttpOptions {
  baseUrl: string; // e.g. http://127.0.0.1:8080 (the /v1 paths are appended)
  /** The subjects behind the URL; any other subject is refused, never answered by this server's model. */
  serves?: ServedSubject[];
  /** Where `serves` was declared, for the refusal's reason (default "REFUTE_HTTP_SERVES"). */
  servesSource?: string;
  model?: string; // the name sent as `model`; default the subject's model
  promptAs?: "auto" | "ids" | "text"; // default auto: ids when the model's tokenizer is local
  timeoutMs?: number; // per request; default 120000
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
  readonly name = "http" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "perplexity"]);
  private readonly base: string;
  private idsRefused = false;
  private readonly tokenizers = new Map<string, Tokenizer | null>();
  private serverTokenize: boolean | null = null; // unknown until asked
  private identity: Promise<ServedIdentity | null> | undefined; // what the server says it holds, asked once
  private readonly localHashes = new Map<string, string[] | null>(); // a local model's files' sha256, by model

  constructor(private readonly options: HttpOptions) {
    this.base = options.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
  }

  serves(spec: SubjectSpec): string | null {
    return refusalOf(`http (${this.base})`, this.options.serves, this.options.servesSource ?? "REFUTE_HTTP_SERVES", spec);
  }

  /**
   * Where the server identifies its model (refute serve's /v1/models `refute` entry: format,
   * quant, its files' sha256), the subject must be it: the same format and quant, and, for a
   * model that is local, the same files. A server that does not say is taken at its declared
   * served list. Checked before a subject's first request; a mismatch blocks, naming both.
   */
  private async verifyIdentity(spec: SubjectSpec): Promise<void> {
    const identity = await (this.identity ??= this.askIdentity());
    if (!identity) return;
    const asked = `${spec.model} ${spec.format} ${spec.quant}`;
    if (identity.format !== spec.format || identity.quant !== spec.quant) {
      throw new BlockedError(`http: ${this.base}/v1/models says the server holds ${identity.format} ${identity.quant}; the check asks for ${asked}`);
    }
    if (!this.localHashes.has(spec.model)) this.localHashes.set(spec.model, localFileHashes(spec.model));
    const local = this.localHashes.get(spec.model)!;
    const served = new Set(identity.files.map((f) => f.sha256));
    if (local && (local.length !== served.size || local.some((h) => !served.has(h)))) {
      throw new BlockedError(`http: ${this.base}/v1/models says the server's model files have sha256 ${[...served].join(", ")}; ${spec.model}'s are ${local.join(", ")}: another model is behind the URL`);
    }
  }

  private async askIdentity(): Promise<ServedIdentity | null> {
    const body = (await this.get("/v1/models")) as { data?: { refute?: ServedIdentity }[] } | null;
    const identity = body?.data?.[0]?.refute;
    return identity && typeof identity.format === "string" && typeof identity.quant === "string" && Array.isArray(identity.files) ? identity : null;
  }

  /** A request to the server; one that cannot reach it is a BlockedError naming the URL. */
  private async send(path: string, init: RequestInit = {}): Promise<{ url: string; response: Response }> {
    const url = this.base + path;
    try {
      return { url, response: await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000) }) };
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new BlockedError(`http: cannot reach ${url} (${cause}): is the server running?`);
    }
  }

  /** GET path as JSON; null when the server has no such route or answers something else than JSON. */
  private async get(path: string): Promise<unknown> {
    const { response } = await this.send(path);
    if (!response.ok) return null;
    try {
      return JSON.parse(await response.text());
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
    const text = await response.text();
    if (!response.ok) throw new HttpStatusError(response.status, url, text);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${url} answered 200 with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  private usesIds(spec: SubjectSpec): Tokenizer | null {
    if (this.options.promptAs === "text" || this.idsRefused) return null;
    const tokenizer = this.localTokenizer(spec.model);
    if (!tokenizer && this.options.promptAs === "ids") throw new BlockedError(`http: prompts as ids need the tokenizer of ${spec.model} locally`);
    return tokenizer;
  }

  /** POST /v1/completions; an id prompt the server refuses is sent again as text. */
  private async complete(spec: SubjectSpec, ids: number[] | null, text: string | null, fields: Omit<CompletionRequest, "prompt" | "temperature" | "model">) {
    const request = (prompt: string | number[]): CompletionRequest => ({
      model: this.options.model ?? spec.model,
      prompt,
      temperature: 0,
      return_tokens_as_token_ids: true,
      ...fields,
    });
    if (ids) {
      try {
        return { body: await this.post("/v1/completions", request(ids)), sentIds: true };
      } catch (e) {
        const refused = e instanceof HttpStatusError && (e.status === 400 || e.status === 422) && /prompt/i.test(e.body);
        if (!refused || this.options.promptAs === "ids") throw e;
        this.idsRefused = true;
      }
    }
    if (text === null) throw new BlockedError("http: the server refused a prompt of token ids; forced decoding and perplexity cannot run on text");
    return { body: await this.post("/v1/completions", request(text)), sentIds: false };
  }

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    await this.verifyIdentity(spec);
    if (this.serverTokenize !== false) {
      try {
        const body = (await this.post("/tokenize", { content: text, add_special: false })) as { tokens?: unknown };
        if (Array.isArray(body.tokens) && body.tokens.every((t) => Number.isInteger(t))) {
          this.serverTokenize = true;
          return body.tokens as number[];
        }
      } catch (e) {
        if (!(e instanceof HttpStatusError && (e.status === 404 || e.status === 405))) throw e;
      }
      this.serverTokenize = false;
    }
    const local = this.localTokenizer(spec.model);
    if (!local) throw new BlockedError(`http: the server has no /tokenize and ${spec.model} is not a local model`);
    return local.encode(text);
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    await this.verifyIdentity(spec);
    const tokenizer = this.usesIds(spec);
    const ids = tokenizer ? tokenizer.encode(prompt) : null;
    const { body, sentIds } = await this.complete(spec, ids, prompt, { max_tokens: maxNewTokens, logprobs: this.options.topK ?? 10 });
    const tokens = responseTokens(body);
    if (!tokens) {
      throw new BlockedError(`http: ${this.base} returned text without token ids (llama-server's logprobs.content or vLLM's return_tokens_as_token_ids carry them); token-level claims cannot run on text`);
    }
    const promptTokens = sentIds && ids ? ids : await this.tokenize(spec, prompt).catch(() => []);
    return {
      promptTokens,
      tokens: tokens.map((t) => t.id),
      text: responseText(body),
      topk: tokens.every((t) => t.topk) ? tokens.map((t) => t.topk!) : [],
    };
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    await this.verifyIdentity(spec);
    const tokenizer = this.usesIds(spec);
    if (!tokenizer) throw new BlockedError("http: forced decoding needs the prompt sent as token ids (a local tokenizer and a server that takes id prompts)");
    const promptTokens = tokenizer.encode(prompt);
    const echoed = await this.echo(spec, [...promptTokens, ...tokens], options.topK ?? 10);
    const steps = tokens.map((token, i) => {
      const at = echoed[promptTokens.length + i];
      if (!at || at.id !== token || at.logprob === null) {
        throw new Error(`http: the echo of forced token ${i} (id ${token}) came back as ${JSON.stringify(at)}`);
      }
      const topk = at.topk ?? [];
      const candidates = options.candidates?.[i]?.map((c) => (c === token ? at.logprob : (topk.find((e) => e.token === c)?.logprob ?? null)));
      return { token, logprob: at.logprob, topk, ...(candidates ? { candidates } : {}) };
    });
    return { promptTokens, steps };
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    await this.verifyIdentity(spec);
    const tokenizer = this.usesIds(spec);
    if (!tokenizer) throw new BlockedError("http: perplexity needs windows sent as token ids (a local tokenizer and a server that takes id prompts)");
    const ids = tokenizer.encode(text);
    let nllSum = 0;
    let scored = 0;
    for (const w of perplexityWindows(ids.length, window, stride)) {
      const echoed = await this.echo(spec, ids.slice(w.begin, w.end), 1);
      for (let target = w.firstTarget; target < w.end; target++) {
        const logprob = echoed[target - w.begin]?.logprob;
        if (typeof logprob !== "number") throw new Error(`http: no echoed log p for token ${target} of the text`);
        nllSum -= logprob;
        scored++;
      }
    }
    return { perplexity: Math.exp(nllSum / scored), tokensScored: scored, window, stride };
  }

  /** The server's log p of every token of an id prompt after the first (echo, max_tokens 0). */
  private async echo(spec: SubjectSpec, ids: number[], topK: number): Promise<ResponseToken[]> {
    const { body } = await this.complete(spec, ids, null, { max_tokens: 0, echo: true, logprobs: topK });
    const echoed = responseTokens(body);
    if (!echoed || echoed.length < ids.length) {
      throw new BlockedError(`http: ${this.base} does not echo prompt log-probs (echo with max_tokens 0); forced decoding and perplexity need them`);
    }
    return echoed.slice(0, ids.length);
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
