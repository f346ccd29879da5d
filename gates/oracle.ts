// The oracle on disk: golden generations of the reference implementation and its
// perplexity on a held-out text. Layout (fixed by the oracle generator):
//
//   <dir>/prompts/<prompt>.txt          the prompt texts
//   <dir>/<model>/<prompt>.json         tokens, text, topk (per step, 10 entries), ...
//   <dir>/<model>/<prompt>.logprobs.f32 every step's whole distribution (the record's `distributions`)
//   <dir>/ppl/<model>.json              text_file, text_sha256, window, stride, perplexity, ...
//   <dir>/ppl/heldout.txt               the held-out text
//   <dir>/tokenizer/<model>.json        the independent encoder's ids for the tokenizer test strings
//   <dir>/<model>/<prompt>.trace.json   the reference's layer-by-layer activations, in <prompt>.trace.f32
//
// A missing or malformed oracle blocks the checks that need it (E_ORACLE_*); it is never
// guessed around. Every file is validated with oracle/schema.json (ajv). Files are read once per store.

import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { RefuteError } from "../core/errors.ts";
import { isLlamaVocabulary, llamaVocabulary, type Vocabulary } from "../core/llama-vocabularies.ts";
import oracleSchema from "../oracle/schema.json" with { type: "json" };
import type { TracedTensor } from "../engine/generate/trace.ts";
import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import type { TopKEntry } from "../runtimes/runtime.ts";
import type { OracleChat, OracleDistributions, OracleGeneration, OraclePerplexity, OracleTokenizer, PromptRef } from "../measures/measure.ts";
import { perplexityRecord } from "../measures/ppl-text.ts";

export class OracleStore {
  private readonly files = new Map<string, Promise<string>>();

  constructor(readonly dir = "oracle") {}

  /** The prompt: oracle/prompts/<name>.txt exactly as the oracle generator reads it, or the conversation of <name>.messages.json. */
  async prompt(name: string): Promise<PromptRef> {
    const chatFile = join(this.dir, "prompts", `${name}${CHAT_SUFFIX}`);
    const exists = await stat(chatFile).then(
      () => true,
      () => false,
    );
    if (!exists) return { name, text: await this.read(join(this.dir, "prompts", `${name}.txt`), `prompt '${name}'`) };
    const messages = chatMessages(chatFile, parseJson(chatFile, await this.read(chatFile, `chat prompt '${name}'`)));
    return { name, text: JSON.stringify(messages), messages };
  }

  async generation(model: string, prompt: PromptRef): Promise<OracleGeneration> {
    const file = join(this.dir, model, `${prompt.name}.json`);
    const doc = validated<GreedyOracleFile>(file, parseJson(file, await this.read(file, `oracle generation for ${model}/${prompt.name}`)), validateGreedy);
    if (prompt.messages ? JSON.stringify(doc.messages) !== JSON.stringify(prompt.messages) : doc.prompt !== prompt.text) {
      const was = prompt.messages ? JSON.stringify(doc.messages ?? null) : JSON.stringify(doc.prompt);
      throw new RefuteError("E_ORACLE_STALE", `${file} was generated for prompt ${was} but ${this.dir}/prompts/${prompt.name}${prompt.messages ? CHAT_SUFFIX : ".txt"} says ${prompt.text.slice(0, 400)}`, { file });
    }
    const chat = prompt.messages ? { renderedPrompt: doc.prompt } : {};
    return { model, prompt: prompt.name, tokens: doc.tokens, text: doc.text, topk: doc.topk, promptTokens: doc.prompt_tokens, ...(doc.finish_reason ? { finishReason: doc.finish_reason } : {}), ...(doc.end_token_ids ? { endTokenIds: doc.end_token_ids } : {}), ...chat, source: file };
  }

  /** The record's distributions file, checked against its sha256 and the size its layout implies. */
  async distributions(model: string, prompt: PromptRef): Promise<OracleDistributions> {
    const record = join(this.dir, model, `${prompt.name}.json`);
    await this.generation(model, prompt); // the record itself, validated and current
    const doc = JSON.parse(await this.read(record, `oracle generation for ${model}/${prompt.name}`)) as { distributions?: DistributionsRef };
    const ref = doc.distributions;
    if (!ref) throw new RefuteError("E_ORACLE_MISSING", `${record} has no distributions (an oracle older than them: pnpm oracle regenerates it)`, { file: record });
    const file = join(this.dir, model, ref.file);
    const bytes = await this.readBytes(file, ref);
    return ref.kind === "full" ? fullDistributions(bytes, ref, file) : topDistributions(bytes, ref, file);
  }

  private async readBytes(file: string, ref: DistributionsRef): Promise<Buffer> {
    const expected = ref.kind === "full" ? ref.steps * ref.vocab * 4 : ref.steps * ((ref.k ?? 0) * 8 + 4);
    if (expected > MAX_DISTRIBUTION_BYTES) throw new RefuteError("E_ORACLE_INVALID", `${file}: its record says ${expected} bytes, over the limit of ${MAX_DISTRIBUTION_BYTES}`, { file });
    const size = await stat(file).then(
      (s) => s.size,
      () => {
        throw new RefuteError("E_ORACLE_MISSING", `no distributions file: ${file} does not exist (pnpm oracle generates it)`, { file });
      },
    );
    if (size !== expected) throw new RefuteError("E_ORACLE_INVALID", `${file}: ${size} bytes, but its record's layout (${ref.kind}, ${ref.steps} steps, vocab ${ref.vocab}) makes ${expected}`, { file });
    const bytes = await readFile(file);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (sha !== ref.sha256) throw new RefuteError("E_ORACLE_STALE", `${file} has sha256 ${sha}, but its record names ${ref.sha256}`, { file });
    return bytes;
  }

  /** A prompt with a reference trace of `model`: the first of `preferred` that has one, else any; null when none has. */
  async tracedPrompt(model: string, preferred: string[]): Promise<string | null> {
    const names = await readdir(join(this.dir, model)).catch(() => [] as string[]);
    const traced = names.filter((n) => n.endsWith(".trace.json")).map((n) => n.slice(0, -".trace.json".length)).sort();
    return preferred.find((p) => traced.includes(p)) ?? traced[0] ?? null;
  }

  /** The reference's layer-by-layer trace of a prompt (scripts/gen_trace.py), checked against its sha256. */
  async trace(model: string, prompt: string): Promise<ReferenceTrace> {
    const indexFile = join(this.dir, model, `${prompt}.trace.json`);
    const index = validated<TraceIndex>(indexFile, parseJson(indexFile, await this.read(indexFile, `reference trace of ${model}/${prompt}`)), validateTrace);
    const file = join(this.dir, model, index.file);
    const floats = index.points.reduce((n, p) => Math.max(n, p.offset + p.width * index.positions), 0);
    const size = await stat(file).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== floats * 4 || floats * 4 > MAX_DISTRIBUTION_BYTES) throw new RefuteError("E_ORACLE_INVALID", `${file}: ${size} bytes, but ${indexFile} describes ${floats * 4}`, { file });
    const bytes = await readFile(file);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (sha !== index.sha256) throw new RefuteError("E_ORACLE_STALE", `${file} has sha256 ${sha}, but ${indexFile} names ${index.sha256}`, { file });
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const tensors = index.points.map((p) => ({ name: p.name, width: p.width, values: all.slice(p.offset, p.offset + p.width * index.positions) }));
    return { tokens: index.tokens, tensors, source: indexFile };
  }

  /** The reference's perplexity on a held-out text: "heldout" (ppl/<model>.json) or "shuffled" (ppl/<model>.shuffled.json). */
  async perplexity(model: string, which: PerplexityText = "heldout"): Promise<OraclePerplexity> {
    const file = join(this.dir, "ppl", perplexityRecord(model, which));
    const doc = validated<PerplexityOracleFile>(file, parseJson(file, await this.read(file, `oracle perplexity for ${model}`)), validatePerplexity);
    // text_file is relative to the repository, whose oracle/ is this store's directory.
    const textFile = resolve(this.dir, relative("oracle", doc.text_file));
    const text = await this.read(textFile, `held-out text for ${model}`);
    const sha = createHash("sha256").update(text, "utf8").digest("hex");
    if (sha !== doc.text_sha256) {
      throw new RefuteError("E_ORACLE_STALE", `${textFile} has sha256 ${sha}, but ${file} was computed on ${doc.text_sha256}`, { file, textFile });
    }
    return {
      model,
      perplexity: doc.perplexity,
      tokensScored: doc.tokens_scored,
      window: doc.window,
      stride: doc.stride,
      text,
      textSha256: sha,
      source: file,
    };
  }

  /** Hugging Face's ids of test strings: the oracle's records, or for a llama.cpp vocabulary (llama-vocab:<name>) its .gguf.inp/.gguf.out vectors. */
  async tokenizer(model: string): Promise<OracleTokenizer> {
    if (isLlamaVocabulary(model)) {
      let vocabulary: Vocabulary;
      try {
        vocabulary = llamaVocabulary(model);
      } catch (e) {
        throw new RefuteError("E_ORACLE_MISSING", `no tokenizer vectors for ${model}: ${(e as Error).message}`, { model });
      }
      if (!vocabulary.cases) throw new RefuteError("E_ORACLE_MISSING", `no tokenizer vectors for ${model}: llama.cpp's source has no ${vocabulary.gguf}.inp/.out`, { model });
      return { model, cases: vocabulary.cases, source: `${vocabulary.gguf}.out` };
    }
    const file = join(this.dir, "tokenizer", `${model}.json`);
    const doc = validated<TokenizerOracleFile>(file, parseJson(file, await this.read(file, `tokenizer vectors for ${model}`)), validateTokenizer);
    return { model, cases: doc.cases.map((c) => ({ text: c.text, ids: c.ids })), source: file };
  }

  /** A model's chat template rendered by Python's Jinja2 as transformers does (oracle/chat/<model>.json). */
  async chat(model: string): Promise<OracleChat> {
    const file = join(this.dir, "chat", `${model}.json`);
    const doc = validated<ChatOracleFile>(file, parseJson(file, await this.read(file, `chat template renders for ${model}`)), validateChat);
    return { model, cases: doc.cases.map((c) => ({ messages: c.messages, addGenerationPrompt: c.add_generation_prompt, rendered: c.rendered ?? null })), source: file };
  }

  /** The held-out text every model's perplexity oracle is computed on. */
  heldoutText(): Promise<string> {
    return this.read(join(this.dir, "ppl", "heldout.txt"), "held-out text");
  }

  private read(file: string, what: string): Promise<string> {
    let pending = this.files.get(file);
    if (!pending) {
      pending = readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") throw new RefuteError("E_ORACLE_MISSING", `no ${what}: ${file} does not exist (pnpm oracle generates it)`, { file });
        throw e;
      });
      this.files.set(file, pending);
    }
    return pending;
  }
}

/** A reference trace: the tokens it ran and every point's activations. */
export interface ReferenceTrace {
  tokens: number[];
  tensors: TracedTensor[];
  source: string;
}

interface TraceIndex {
  positions: number;
  tokens: number[];
  file: string;
  sha256: string;
  points: { name: string; width: number; offset: number }[];
}

/** The record's description of its distributions file (oracle/schema.json#/properties/distributions). */
interface DistributionsRef {
  file: string;
  kind: "full" | "top";
  steps: number;
  vocab: number;
  k?: number;
  sha256: string;
}

const MAX_DISTRIBUTION_BYTES = 256 << 20;

/** [step][token] float32 little-endian. */
function fullDistributions(bytes: Buffer, ref: DistributionsRef, source: string): OracleDistributions {
  const at = (step: number, token: number) => bytes.readFloatLE((step * ref.vocab + token) * 4);
  const all = Array.from({ length: ref.vocab }, (_, i) => i);
  return {
    kind: "full",
    steps: ref.steps,
    vocab: ref.vocab,
    source,
    logprob: (step, token) => (step >= 0 && step < ref.steps && token >= 0 && token < ref.vocab ? at(step, token) : null),
    tokens: () => all,
  };
}

/** Per step: k (int32 id, float32 log p) pairs, then the rest's float32 log p. */
function topDistributions(bytes: Buffer, ref: DistributionsRef, source: string): OracleDistributions {
  const k = ref.k ?? 0;
  const stride = k * 8 + 4;
  const rows = Array.from({ length: ref.steps }, (_, s) => new Map(Array.from({ length: k }, (_, i) => [bytes.readInt32LE(s * stride + i * 8), bytes.readFloatLE(s * stride + i * 8 + 4)] as const)));
  return { kind: "top", steps: ref.steps, vocab: ref.vocab, source, logprob: (step, token) => rows[step]?.get(token) ?? null, tokens: (step) => [...(rows[step]?.keys() ?? [])] };
}

const CHAT_SUFFIX = ".messages.json";

/** The held-out texts the perplexity oracle has (scripts/gen_ppl.py). */
export const PERPLEXITY_TEXTS = ["heldout", "shuffled"] as const;
export type PerplexityText = (typeof PERPLEXITY_TEXTS)[number];
/** A conversation longer than any chat prompt needs is refused. */
const MAX_CHAT_MESSAGES = 64;

/** {"messages": [{role, content}, ...]}: a chat prompt's file. */
function chatMessages(file: string, doc: Record<string, unknown>): ChatMessage[] {
  const messages = doc.messages;
  const ok = Array.isArray(messages) && messages.length > 0 && messages.length <= MAX_CHAT_MESSAGES && messages.every((m) => m && typeof m === "object" && typeof m.role === "string" && typeof m.content === "string" && Object.keys(m).length === 2);
  if (!ok) throw new RefuteError("E_ORACLE_INVALID", `${file}: "messages" must be a list of 1 to ${MAX_CHAT_MESSAGES} {role, content} strings`, { file });
  return (messages as ChatMessage[]).map((m) => ({ role: m.role, content: m.content }));
}

function parseJson(file: string, text: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(text);
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return doc;
  } catch {
    // reported below
  }
  throw new RefuteError("E_ORACLE_INVALID", `${file} is not a JSON object`, { file });
}

/** The fields of a greedy oracle file the runner reads (oracle/schema.json describes them all). */
interface GreedyOracleFile {
  prompt: string;
  messages?: ChatMessage[];
  finish_reason?: "stop" | "length";
  end_token_ids?: number[];
  prompt_tokens: number[];
  tokens: number[];
  text: string;
  topk: TopKEntry[][];
}

/** The fields of a perplexity oracle file the runner reads (oracle/schema.json#/definitions/ppl). */
interface PerplexityOracleFile {
  text_file: string;
  text_sha256: string;
  window: number;
  stride: number;
  tokens_scored: number;
  perplexity: number;
}

/** The fields of a tokenizer vectors file the runner reads (oracle/schema.json#/definitions/tokenizerVectors). */
interface TokenizerOracleFile {
  cases: { text: string; ids: number[] }[];
}

// One ajv for the oracle's schema: the greedy file is its root, a perplexity file its definitions/ppl, a tokenizer file its definitions/tokenizerVectors.
const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addSchema(oracleSchema);
const schemaPart = (ref: string): ValidateFunction => ajv.getSchema(`${oracleSchema.$id}${ref}`)!;
const validateGreedy = schemaPart("");
const validatePerplexity = schemaPart("#/definitions/ppl");
const validateTokenizer = schemaPart("#/definitions/tokenizerVectors");
const validateTrace = schemaPart("#/definitions/trace");
const validateChat = schemaPart("#/definitions/chatRenders");

interface ChatOracleFile {
  cases: { messages: { role: string; content: string }[]; add_generation_prompt: boolean; rendered?: string; error?: string }[];
}

/** The document, when oracle/schema.json accepts it; else E_ORACLE_INVALID naming the file, the field, what was expected and what was found. */
function validated<T>(file: string, doc: Record<string, unknown>, validate: ValidateFunction): T {
  if (validate(doc)) return doc as T;
  const e = validate.errors![0];
  const path = e.instancePath.split("/").slice(1);
  const field = e.keyword === "required" ? [...path, String(e.params.missingProperty)].join(".") : path.join(".") || "(file)";
  const found = e.keyword === "required" ? undefined : path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);
  return invalid(file, field, e.keyword === "required" ? "the field to be present" : `a value that ${e.message}`, found);
}

function invalid(file: string, field: string, expected: string, found: unknown): never {
  const shown = found === undefined ? "nothing" : JSON.stringify(found).slice(0, 80);
  throw new RefuteError("E_ORACLE_INVALID", `${file}: field '${field}': expected ${expected}; found ${shown}`, { file, field });
}
