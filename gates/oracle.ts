// The oracle on disk: golden generations of the reference implementation and its
// perplexity on a held-out text. Layout (fixed by the oracle generator):
//
//   <dir>/prompts/<prompt>.txt          the prompt texts
//   <dir>/<model>/<prompt>.json         tokens, text, topk (per step, 10 entries), ...
//   <dir>/ppl/<model>.json              text_file, text_sha256, window, stride, perplexity, ...
//   <dir>/ppl/heldout.txt               the held-out text
//
// A missing or malformed oracle blocks the checks that need it (E_ORACLE_*); it is never
// guessed around. Files are read once per store.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { RefuteError } from "../core/errors.ts";
import type { TopKEntry } from "../runtimes/runtime.ts";
import type { OracleGeneration, OraclePerplexity, PromptRef } from "../measures/measure.ts";

export class OracleStore {
  private readonly files = new Map<string, Promise<string>>();

  constructor(readonly dir = "oracle") {}

  /** The prompt's text: oracle/prompts/<name>.txt exactly as the oracle generator reads it. */
  async prompt(name: string): Promise<PromptRef> {
    return { name, text: await this.read(join(this.dir, "prompts", `${name}.txt`), `prompt '${name}'`) };
  }

  async generation(model: string, prompt: PromptRef): Promise<OracleGeneration> {
    const file = join(this.dir, model, `${prompt.name}.json`);
    const doc = parseJson(file, await this.read(file, `oracle generation for ${model}/${prompt.name}`));
    const bad = (field: string, expected: string) => invalid(file, field, expected, doc[field]);
    if (!isIntArray(doc.tokens)) throw bad("tokens", "an array of token ids");
    if (typeof doc.text !== "string") throw bad("text", "a string");
    if (typeof doc.prompt !== "string") throw bad("prompt", "a string");
    if (!isTopK(doc.topk)) throw bad("topk", "an array per step of {token, logprob} arrays");
    if (doc.prompt !== prompt.text) {
      throw new RefuteError("E_ORACLE_STALE", `${file} was generated for prompt ${JSON.stringify(doc.prompt)} but ${this.dir}/prompts/${prompt.name}.txt says ${JSON.stringify(prompt.text)}`, { file });
    }
    const promptTokens = isIntArray(doc.prompt_tokens) ? { promptTokens: doc.prompt_tokens } : {};
    return { model, prompt: prompt.name, tokens: doc.tokens, text: doc.text, topk: doc.topk, ...promptTokens, source: file };
  }

  async perplexity(model: string): Promise<OraclePerplexity> {
    const file = join(this.dir, "ppl", `${model}.json`);
    const doc = parseJson(file, await this.read(file, `oracle perplexity for ${model}`));
    const bad = (field: string, expected: string) => invalid(file, field, expected, doc[field]);
    for (const field of ["perplexity", "window", "stride", "tokens_scored"]) {
      if (typeof doc[field] !== "number" || !Number.isFinite(doc[field])) throw bad(field, "a finite number");
    }
    if (typeof doc.text_file !== "string") throw bad("text_file", "a path such as oracle/ppl/heldout.txt");
    if (typeof doc.text_sha256 !== "string") throw bad("text_sha256", "the text's sha256 in hex");
    // text_file is relative to the repository, whose oracle/ is this store's directory.
    const textFile = resolve(this.dir, relative("oracle", doc.text_file as string));
    const text = await this.read(textFile, `held-out text for ${model}`);
    const sha = createHash("sha256").update(text, "utf8").digest("hex");
    if (sha !== doc.text_sha256) {
      throw new RefuteError("E_ORACLE_STALE", `${textFile} has sha256 ${sha}, but ${file} was computed on ${doc.text_sha256}`, { file, textFile });
    }
    return {
      model,
      perplexity: doc.perplexity as number,
      tokensScored: doc.tokens_scored as number,
      window: doc.window as number,
      stride: doc.stride as number,
      text,
      textSha256: sha,
      source: file,
    };
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

function parseJson(file: string, text: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(text);
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return doc;
  } catch {
    // reported below
  }
  throw new RefuteError("E_ORACLE_INVALID", `${file} is not a JSON object`, { file });
}

function invalid(file: string, field: string, expected: string, found: unknown): RefuteError {
  const shown = found === undefined ? "nothing" : JSON.stringify(found).slice(0, 80);
  return new RefuteError("E_ORACLE_INVALID", `${file}: field '${field}': expected ${expected}; found ${shown}`, { file, field });
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((t) => Number.isInteger(t));
}

function isTopK(v: unknown): v is TopKEntry[][] {
  return Array.isArray(v) && v.every((step) => Array.isArray(step) && step.every((e) => e && Number.isInteger(e.token) && typeof e.logprob === "number"));
}
