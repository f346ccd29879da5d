// A Hugging Face tokenizer.json (byte-level BPE) as an encoder and decoder. Added tokens
// (special tokens such as <|endoftext|>) are cut out of the text first and map to their ids;
// the rest is pre-tokenized, then BPE-encoded piece by piece.

import { RefuteError } from "../../core/errors.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { encodePiece, type BpeModel } from "./bpe.ts";
import { symbolsToBytes } from "./byte-level.ts";
import { buildPreTokenizer, type PreTokenize } from "./pretokenizer.ts";

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

export class Tokenizer {
  private readonly cache = new Map<string, number[]>();
  private readonly idToToken: string[];
  private readonly addedById: Map<number, AddedToken>;
  private readonly addedPattern: RegExp | null;
  private readonly addedByContent: Map<string, AddedToken>;

  constructor(
    private readonly model: BpeModel,
    private readonly preTokenize: PreTokenize,
    readonly added: AddedToken[],
  ) {
    this.idToToken = [];
    for (const [token, id] of model.vocab) this.idToToken[id] = token;
    this.addedById = new Map(added.map((t) => [t.id, t]));
    this.addedByContent = new Map(added.map((t) => [t.content, t]));
    const alternatives = [...added].sort((a, b) => b.content.length - a.content.length).map((t) => t.content.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.addedPattern = alternatives.length ? new RegExp(alternatives.join("|"), "gu") : null;
  }

  get vocabSize(): number {
    return Math.max(this.idToToken.length, ...this.added.map((t) => t.id + 1));
  }

  /** The token ids of the text; no BOS or EOS is added. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const segment of this.splitAdded(text)) {
      if (typeof segment !== "string") {
        ids.push(segment.id);
        continue;
      }
      for (const piece of this.preTokenize([segment])) ids.push(...encodePiece(this.model, piece, this.cache));
    }
    return ids;
  }

  private splitAdded(text: string): (string | AddedToken)[] {
    if (!this.addedPattern) return text ? [text] : [];
    const out: (string | AddedToken)[] = [];
    let last = 0;
    for (const m of text.matchAll(this.addedPattern)) {
      if (m.index > last) out.push(text.slice(last, m.index));
      out.push(this.addedByContent.get(m[0]) as AddedToken);
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  /** Text of the ids: byte-level symbols back to bytes, then UTF-8 with U+FFFD for invalid sequences. */
  decode(ids: readonly number[]): string {
    let text = "";
    let bytes: number[] = [];
    const flush = () => {
      text += new TextDecoder("utf-8").decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const id of ids) {
      const added = this.addedById.get(id);
      if (added) {
        flush();
        text += added.content;
        continue;
      }
      const token = this.idToToken[id];
      if (token === undefined) throw new RefuteError("TOKENIZER_UNKNOWN_ID", `token id ${id} is not in the vocabulary`, { token: id });
      symbolsToBytes(token, bytes);
    }
    flush();
    return text;
  }

  tokenText(id: number): string {
    return this.addedById.get(id)?.content ?? this.idToToken[id] ?? `<${id}>`;
  }
}

function fail(field: string, message: string): never {
  throw new RefuteError("TOKENIZER_BAD_JSON", `tokenizer.json: ${field}: ${message}`, { field });
}

function parseMerges(merges: unknown): Map<string, number> {
  if (!Array.isArray(merges)) fail("model.merges", "must be a list");
  const ranks = new Map<string, number>();
  merges.forEach((m, rank) => {
    // Two encodings exist: "a b" (older) and ["a", "b"] (tokenizers >= 0.20).
    const pair = typeof m === "string" ? m : Array.isArray(m) && m.length === 2 && m.every((s) => typeof s === "string") ? m.join(" ") : null;
    if (pair === null || (typeof m === "string" && m.split(" ").length !== 2)) fail(`model.merges[${rank}]`, `expected "a b" or ["a", "b"], found ${JSON.stringify(m)}`);
    if (!ranks.has(pair)) ranks.set(pair, rank);
  });
  return ranks;
}

function parseVocab(vocab: unknown): Map<string, number> {
  if (vocab === null || typeof vocab !== "object" || Array.isArray(vocab)) fail("model.vocab", "must be an object of token -> id");
  const map = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) fail(`model.vocab[${JSON.stringify(token)}]`, `id must be a non-negative integer, found ${JSON.stringify(id)}`);
    map.set(token, id);
  }
  return map;
}

function parseAdded(added: unknown): AddedToken[] {
  if (added === undefined || added === null) return [];
  if (!Array.isArray(added)) fail("added_tokens", "must be a list");
  return added.map((t, i) => {
    const { id, content, special } = (t ?? {}) as Record<string, unknown>;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || typeof content !== "string" || content.length === 0) {
      fail(`added_tokens[${i}]`, "needs an integer id and a non-empty content");
    }
    return { id, content, special: special === true };
  });
}

/** Builds a tokenizer from parsed tokenizer.json content; every field used is checked. Hook: dropFirstMerge. */
export function tokenizerFromJson(json: unknown, hooks: Pick<EngineHooks, "dropFirstMerge"> = NO_HOOKS): Tokenizer {
  if (json === null || typeof json !== "object" || Array.isArray(json)) fail("(root)", "must be a JSON object");
  const root = json as Record<string, unknown>;
  const model = root.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== "object") fail("model", "missing");
  if (model.type !== undefined && model.type !== "BPE") fail("model.type", `only BPE is supported, found ${JSON.stringify(model.type)}`);
  const decoder = root.decoder as Record<string, unknown> | null | undefined;
  if (decoder && decoder.type !== "ByteLevel") fail("decoder.type", `only ByteLevel is supported, found ${JSON.stringify(decoder.type)}`);
  return new Tokenizer(
    { vocab: parseVocab(model.vocab), ranks: parseMerges(hooks.dropFirstMerge && Array.isArray(model.merges) ? model.merges.slice(1) : model.merges), ignoreMerges: model.ignore_merges === true },
    buildPreTokenizer(root.pre_tokenizer),
    parseAdded(root.added_tokens),
  );
}
