// A Hugging Face tokenizer.json (BPE: byte-level, or SentencePiece-style with byte fallback)
// as an encoder and decoder. Added tokens (special tokens such as <|endoftext|>) are cut out
// of the text first and map to their ids; the rest is normalized, pre-tokenized, then
// BPE-encoded piece by piece. A GGUF's SentencePiece vocabulary (model type "SPM", which
// gguf-vocab.ts writes) encodes the rest by score instead (spm.ts), as llama.cpp does.

import { RefuteError } from "../../core/errors.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { encodePiece, type BpeModel } from "./bpe.ts";
import { byteTokenIds } from "./byte-fallback.ts";
import { symbolsToBytes } from "./byte-level.ts";
import { type DecoderSpec, decodeCharacterTokens, decoderSpec } from "./decoder.ts";
import { buildNormalizer } from "./normalizer.ts";
import { NO_SPECIALS, type Specials, specialsOf } from "./post-processor.ts";
import { buildPreTokenizer } from "./pretokenizer.ts";
import { encodeSpm, spmEscape, type SpmModel, spmTokenBytes } from "./spm.ts";
import { encodeWordPiece, WORD_START, type WordPieceModel } from "./wordpiece.ts";

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

/** How the ordinary text between added tokens becomes ids, and a token back into bytes. */
export interface TextCodec {
  vocab: Map<string, number>;
  /** `atInputStart`: the text starts the input; otherwise it follows an added token. */
  encode(text: string, atInputStart: boolean): number[];
  /** The text of a run of vocabulary tokens (no added token among them). */
  decode(tokens: readonly string[]): string;
  /** Leading spaces decoding removes from its text (SentencePiece's prefix space). */
  stripLeading: number;
}

export class Tokenizer {
  private readonly idToToken: string[];
  private readonly addedById: Map<number, AddedToken>;
  private readonly addedPattern: RegExp | null;
  private readonly addedByContent: Map<string, AddedToken>;

  constructor(
    private readonly codec: TextCodec,
    readonly added: AddedToken[],
    /** What the model puts around a prompt (BOS, EOS, CLS/SEP). */
    readonly specials: Specials = NO_SPECIALS,
  ) {
    this.idToToken = [];
    for (const [token, id] of codec.vocab) this.idToToken[id] = token;
    this.addedById = new Map(added.map((t) => [t.id, t]));
    this.addedByContent = new Map(added.map((t) => [t.content, t]));
    const alternatives = [...added].sort((a, b) => b.content.length - a.content.length).map((t) => t.content.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.addedPattern = alternatives.length ? new RegExp(alternatives.join("|"), "gu") : null;
  }

  get vocabSize(): number {
    return this.added.reduce((n, t) => Math.max(n, t.id + 1), this.idToToken.length);
  }

  /** The token ids of the text; no BOS or EOS is added. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const segment of this.splitAdded(text)) {
      if (typeof segment === "string") ids.push(...this.codec.encode(segment, ids.length === 0));
      else ids.push(segment.id);
    }
    return ids;
  }

  /** The ids a model is given for a text: the text's, with the special tokens it puts around it (Hugging Face's add_special_tokens, llama.cpp's add_bos/add_eos). */
  encodePrompt(text: string): number[] {
    return [...this.specials.prefix, ...this.encode(text), ...this.specials.suffix];
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

  /** Text of the ids: each run of vocabulary tokens decoded by the codec, added tokens as their text. */
  decode(ids: readonly number[]): string {
    let text = this.decodeContinuation(ids);
    let strip = this.codec.stripLeading;
    while (strip > 0 && text.startsWith(" ")) {
      text = text.slice(1);
      strip--;
    }
    return text;
  }

  /**
   * The text these ids add after ids whose decoded text is not empty and does not end inside a
   * character or a run of byte tokens (the streaming decoder's committed prefix): their text
   * with no leading space stripped, since decoding strips only at the start of the whole text.
   */
  decodeContinuation(ids: readonly number[]): string {
    let text = "";
    let run: string[] = [];
    for (const id of ids) {
      const added = this.addedById.get(id);
      if (added) {
        text += this.codec.decode(run) + added.content;
        run = [];
        continue;
      }
      const token = this.idToToken[id];
      if (token === undefined) throw new RefuteError("TOKENIZER_UNKNOWN_ID", `token id ${id} is not in the vocabulary`, { token: id });
      run.push(token);
    }
    return text + this.codec.decode(run);
  }

  tokenText(id: number): string {
    return this.addedById.get(id)?.content ?? this.idToToken[id] ?? `<${id}>`;
  }
}

/** Ids a vocabulary may use: [0, 2^22), as the engine's config bound. */
const MAX_IDS = 1 << 22;

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
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0 || id >= MAX_IDS) fail(`model.vocab[${JSON.stringify(token)}]`, `id must be an integer in [0, ${MAX_IDS}), found ${JSON.stringify(id)}`);
    map.set(token, id);
  }
  return map;
}

function parseAdded(added: unknown): AddedToken[] {
  if (added === undefined || added === null) return [];
  if (!Array.isArray(added)) fail("added_tokens", "must be a list");
  return added.map((t, i) => {
    const { id, content, special } = (t ?? {}) as Record<string, unknown>;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0 || id >= MAX_IDS || typeof content !== "string" || content.length === 0) {
      fail(`added_tokens[${i}]`, `needs an integer id in [0, ${MAX_IDS}) and a non-empty content`);
    }
    return { id, content, special: special === true };
  });
}

/** The engine hooks a tokenizer obeys (faults of the teeth catalogue). */
export type TokenizerHooks = Pick<EngineHooks, "dropFirstMerge" | "spmNoByteFallback" | "spmNoSpacePrefix">;

/** Builds a tokenizer from parsed tokenizer.json content; every field used is checked. */
export function tokenizerFromJson(json: unknown, hooks: TokenizerHooks = NO_HOOKS): Tokenizer {
  if (json === null || typeof json !== "object" || Array.isArray(json)) fail("(root)", "must be a JSON object");
  const root = json as Record<string, unknown>;
  const model = root.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== "object") fail("model", "missing");
  const specials = specialsOf(root.post_processor);
  if (model.type === "SPM") return new Tokenizer(spmCodec(model, hooks), parseAdded(root.added_tokens), specials);
  if (model.type === "WPM") return new Tokenizer(wordPieceCodec(model), parseAdded(root.added_tokens), specials);
  if (model.type !== undefined && model.type !== "BPE") fail("model.type", `only BPE is supported, found ${JSON.stringify(model.type)}`);
  const vocab = parseVocab(model.vocab);
  const decoder = decoderSpec(root.decoder);
  const unknown = typeof model.unk_token === "string" ? (vocab.get(model.unk_token) ?? null) : null;
  const bpe: BpeModel = {
    vocab,
    ranks: parseMerges(hooks.dropFirstMerge && Array.isArray(model.merges) ? model.merges.slice(1) : model.merges),
    ignoreMerges: model.ignore_merges === true,
    byteLevel: decoder.byteLevel || hasByteLevelStep(root.pre_tokenizer),
    byteFallback: model.byte_fallback === true && !hooks.spmNoByteFallback ? byteTokenIds(vocab) : null,
    unknown,
    fuseUnknown: model.fuse_unk === true,
  };
  // the hook is read only where there is a Prepend to drop (dropping none changes nothing)
  const unprepended = withoutPrepend(root.normalizer);
  const normalize = buildNormalizer(unprepended !== root.normalizer && hooks.spmNoSpacePrefix ? unprepended : root.normalizer);
  const preTokenize = buildPreTokenizer(root.pre_tokenizer);
  const cache = new Map<string, number[]>();
  return new Tokenizer(
    {
      vocab,
      encode: (text, atInputStart) => preTokenize([normalize(text)], atInputStart).flatMap((piece) => encodePiece(bpe, piece, cache)),
      decode: decoder.byteLevel ? (tokens) => bytesText(tokens, symbolsToBytes) : (tokens) => decodeCharacterTokens(decoder, tokens),
      stripLeading: decoder.stripLeading,
    },
    parseAdded(root.added_tokens),
    specials,
  );
}

/** Whether a pre-tokenizer maps bytes to GPT-2's alphabet (ByteLevel, alone or in a Sequence): then so do the BPE's symbols, whatever the decoder says. */
function hasByteLevelStep(config: unknown, depth = 0): boolean {
  const c = config as { type?: unknown; pretokenizers?: unknown } | null;
  if (!c || typeof c !== "object" || depth > 16) return false;
  if (c.type === "ByteLevel") return true;
  return c.type === "Sequence" && Array.isArray(c.pretokenizers) && c.pretokenizers.some((p) => hasByteLevelStep(p, depth + 1));
}

/** The normalizer without its Prepend steps: the space-prefix fault. */
/** The normalizer config without its Prepend; the very config where it has none. */
function withoutPrepend(config: unknown): unknown {
  const c = config as { type?: unknown; normalizers?: unknown[] } | null;
  const isPrepend = (n: unknown) => (n as { type?: unknown } | null)?.type === "Prepend";
  if (isPrepend(c)) return null;
  if (c?.type === "Sequence" && Array.isArray(c.normalizers) && c.normalizers.some(isPrepend)) return { ...c, normalizers: c.normalizers.filter((n) => !isPrepend(n)) };
  return config;
}

/**
 * The UTF-8 text of the tokens' bytes, U+FFFD for each maximal invalid sequence (as Rust's
 * from_utf8_lossy). A leading U+FEFF is kept (ignoreBOM), as from_utf8_lossy keeps it: dropped,
 * it would vanish from the start of a text, and from a streamed continuation that starts with it.
 */
function bytesText(tokens: readonly string[], tokenBytes: (token: string, out: number[]) => void): string {
  const bytes: number[] = [];
  for (const token of tokens) tokenBytes(token, bytes);
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array(bytes));
}

/** model.type "SPM": vocab (token -> id), scores (by id), add_space_prefix, unk_id. */
function spmCodec(model: Record<string, unknown>, hooks: TokenizerHooks): TextCodec {
  const vocab = parseVocab(model.vocab);
  if (!Array.isArray(model.scores) || model.scores.length > MAX_IDS || !model.scores.every((x) => typeof x === "number" && Number.isFinite(x))) fail("model.scores", "must be a list of finite numbers, one per id");
  const unknown = typeof model.unk_id === "number" && vocab.size > 0 ? model.unk_id : null;
  const byteTokens = hooks.spmNoByteFallback ? new Map<number, number>() : byteTokenIds(vocab);
  const spm: SpmModel = { vocab, scores: model.scores as number[], addSpacePrefix: model.add_space_prefix !== false && !hooks.spmNoSpacePrefix, byteTokens, unknown };
  // llama.cpp's detokenize drops the space its add_space_prefix put before the text (so the
  // generated tokens " Paris" read "Paris", as transformers' Strip decoder has them)
  return { vocab, encode: (text) => (text ? encodeSpm(spm, spmEscape(spm, text)) : []), decode: (tokens) => bytesText(tokens, spmTokenBytes), stripLeading: spm.addSpacePrefix ? 1 : 0 };
}

/** model.type "WPM": vocab (token -> id, word starts with "▁"), unk_id, lowercase, strip_accents. */
function wordPieceCodec(model: Record<string, unknown>): TextCodec {
  const vocab = parseVocab(model.vocab);
  if (typeof model.unk_id !== "number" || ![...vocab.values()].includes(model.unk_id)) fail("model.unk_id", "must be the id of a token of the vocabulary");
  let maxTokenLength = 1;
  for (const token of vocab.keys()) maxTokenLength = Math.max(maxTokenLength, token.length);
  const wpm: WordPieceModel = { vocab, unknown: model.unk_id, lowercase: model.lowercase !== false, stripAccents: model.strip_accents !== false, maxTokenLength };
  const spaced: DecoderSpec = { byteLevel: false, byteFallback: false, fused: true, spaceMark: WORD_START, stripLeading: 1 };
  return { vocab, encode: (text) => encodeWordPiece(wpm, text), decode: (tokens) => decodeCharacterTokens(spaced, tokens), stripLeading: 1 };
}
