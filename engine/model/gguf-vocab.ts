// A GGUF file's vocabulary as tokenizer.json content, from its metadata alone (no architecture,
// no weights: llama.cpp's vocabulary-only files tokenize too). tokenizer.ggml.model is the
// byte-level BPE (GGUF_BPE_TOKENIZER) or SentencePiece (GGUF_SPM_TOKENIZER: tokens with scores, byte
// tokens, add_space_prefix; tokenizer/spm.ts) or Gemma 4's SentencePiece-style BPE ("gemma4": merges over
// the text's characters with spaces as "▁" and byte fallback, split only at newlines, as llama.cpp's
// LLAMA_VOCAB_PRE_TYPE_GEMMA4). For BPE, tokenizer.ggml.pre names the pre-tokenizer: a family's own
// (families/) or one of llama.cpp's (tokenizer/llama-pre-tokenizers.ts). A file that names
// none is refused, never given a family's guess: llama.cpp would fall back to its default and
// the two disagree on about half of all strings.

import { RefuteError } from "../../core/errors.ts";
import { metadataString, metadataStrings } from "../formats/gguf/metadata.ts";
import type { GgufFile } from "../formats/gguf/read.ts";
import { LLAMA_ADD_BOS_BY_DEFAULT, LLAMA_PRE_TOKENIZERS, llamaPreTokenizer } from "../tokenizer/llama-pre-tokenizers.ts";
import { preTokenizerJson, preTokenizerNames } from "./families/index.ts";
import { GGUF_BPE_TOKENIZER } from "./gguf-export.ts";
import type { ChatTemplate } from "../tokenizer/chat-template.ts";
import { SPACE } from "../tokenizer/spm.ts";

// llama.cpp's token types (tokenizer.ggml.token_type)
const CONTROL = 3;
const USER_DEFINED = 4;
const UNUSED = 5;

function preTokenizerOf(file: GgufFile): { json: unknown; ignoreMerges: boolean } {
  if (!file.metadata.has("tokenizer.ggml.pre")) {
    throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", "GGUF: no tokenizer.ggml.pre: the file does not say how its text is split before BPE, and refute does not guess (llama.cpp falls back to a default of its own)", { field: "tokenizer.ggml.pre" });
  }
  const pre = metadataString(file.metadata, "tokenizer.ggml.pre");
  const own = preTokenizerJson(pre);
  if (own) return { json: own, ignoreMerges: false };
  const llama = llamaPreTokenizer(pre);
  if (llama) return llama;
  const known = [...new Set([...preTokenizerNames(), ...Object.keys(LLAMA_PRE_TOKENIZERS)])].sort();
  throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", `GGUF: tokenizer.ggml.pre "${pre}" is not a pre-tokenizer refute implements (${known.join(", ")})`, { field: "tokenizer.ggml.pre", found: pre });
}

interface SpecialDefaults {
  addBos: boolean;
  addSep: boolean;
  bos: number | null; // llama.cpp's default id where the file names none
  sep: number | null;
}

function optionalId(file: GgufFile, key: string, fallback: number | null): number | null {
  const v = file.metadata.get(key);
  return typeof v?.value === "number" ? v.value : fallback;
}

/**
 * What the vocabulary puts around a prompt, as llama.cpp decides it: its defaults for the
 * tokenizer kind (and BPE pre-tokenizer name), overridden by tokenizer.ggml.add_bos_token,
 * add_eos_token and add_sep_token; written as Hugging Face's TemplateProcessing so the
 * tokenizer reads one form.
 */
function postProcessor(file: GgufFile, tokens: string[], defaults: SpecialDefaults, forceBos = false): unknown {
  const addBos = forceBos || optionalBool(file, "tokenizer.ggml.add_bos_token", defaults.addBos);
  const addEos = optionalBool(file, "tokenizer.ggml.add_eos_token", false);
  const addSep = optionalBool(file, "tokenizer.ggml.add_sep_token", defaults.addSep);
  const special = (key: string, fallback: number | null, add: boolean): { id: number; token: string } | null => {
    if (!add) return null;
    const id = optionalId(file, key, fallback);
    if (id === null || id >= tokens.length) throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", `GGUF: the vocabulary adds a special token (${key.replace("_token_id", "")}) but ${key} names no token of it`, { field: key, found: id });
    return { id, token: tokens[id] };
  };
  const before = [special("tokenizer.ggml.bos_token_id", defaults.bos, addBos)].filter((t) => t !== null);
  const after = [special("tokenizer.ggml.eos_token_id", null, addEos), special("tokenizer.ggml.seperator_token_id", defaults.sep, addSep)].filter((t) => t !== null);
  if (before.length + after.length === 0) return null;
  const piece = (t: { token: string }) => ({ SpecialToken: { id: t.token, type_id: 0 } });
  return {
    type: "TemplateProcessing",
    single: [...before.map(piece), { Sequence: { id: "A", type_id: 0 } }, ...after.map(piece)],
    pair: [],
    special_tokens: Object.fromEntries([...before, ...after].map((t) => [t.token, { id: t.token, ids: [t.id], tokens: [t.token] }])),
  };
}

/** llama.cpp's tokenizer.ggml.model for SentencePiece vocabularies (Llama 2, TinyLlama, Mistral, Phi-3). */
export const GGUF_SPM_TOKENIZER = "llama";
const UNKNOWN = 2;

function tokenTypes(file: GgufFile, count: number): ArrayLike<number> {
  const v = file.metadata.get("tokenizer.ggml.token_type");
  return v?.type === "array" && v.itemType === "i32" ? v.value : new Int32Array(count).fill(1);
}

function addedTokens(tokens: string[], types: ArrayLike<number>) {
  const added: { id: number; content: string; special: boolean; single_word: false; lstrip: false; rstrip: false; normalized: false }[] = [];
  tokens.forEach((content, id) => {
    if (types[id] === CONTROL || types[id] === USER_DEFINED) added.push({ id, content, special: types[id] === CONTROL, single_word: false, lstrip: false, rstrip: false, normalized: false });
  });
  return added;
}

/** A SentencePiece vocabulary: every token with its score (model type "SPM", read by tokenizer.ts). */
function spmTokenizerJson(file: GgufFile): unknown {
  const tokens = metadataStrings(file.metadata, "tokenizer.ggml.tokens");
  const scoresValue = file.metadata.get("tokenizer.ggml.scores");
  if (scoresValue?.type !== "array" || scoresValue.itemType !== "f32" || scoresValue.value.length !== tokens.length) {
    throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", "GGUF: a SentencePiece vocabulary needs tokenizer.ggml.scores, one f32 per token", { field: "tokenizer.ggml.scores" });
  }
  const types = tokenTypes(file, tokens.length);
  const vocab = vocabOf(tokens, types);
  const prefix = file.metadata.get("tokenizer.ggml.add_space_prefix");
  const unk = Array.from(types).indexOf(UNKNOWN);
  return {
    version: "1.0",
    added_tokens: addedTokens(tokens, types),
    normalizer: null,
    pre_tokenizer: null,
    post_processor: postProcessor(file, tokens, { addBos: true, addSep: false, bos: 1, sep: null }),
    decoder: null,
    model: { type: "SPM", vocab, scores: Array.from(scoresValue.value), add_space_prefix: prefix?.type === "bool" ? prefix.value : true, unk_id: unk >= 0 ? unk : null },
  };
}

/** llama.cpp's tokenizer.ggml.model for Gemma 4's SentencePiece-style BPE. */
const GGUF_GEMMA4_TOKENIZER = "gemma4";

/**
 * A merge as llama.cpp reads it: split at the first space after the first character; one
 * without such a space is ("", "") there, a pair no text makes, so it is left out.
 */
function mergePair(merge: string): [string, string] | null {
  const at = merge.indexOf(" ", 1);
  return at < 0 ? null : [merge.slice(0, at), merge.slice(at + 1)];
}

/** Token -> id; of equal tokens the last wins, as in llama.cpp's token_to_id map. */
function vocabOf(tokens: string[], types: ArrayLike<number>): Record<string, number> {
  const vocab: Record<string, number> = {};
  tokens.forEach((token, id) => {
    if (types[id] !== UNUSED) vocab[token] = id;
  });
  return vocab;
}

/** Gemma 4: BPE over characters, spaces as "▁", byte fallback, pieces cut at newlines. */
function gemma4TokenizerJson(file: GgufFile): unknown {
  const tokens = metadataStrings(file.metadata, "tokenizer.ggml.tokens");
  const types = tokenTypes(file, tokens.length);
  if (!file.metadata.has("tokenizer.ggml.merges")) throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", "GGUF: a gemma4 vocabulary needs tokenizer.ggml.merges", { field: "tokenizer.ggml.merges" });
  const merges = metadataStrings(file.metadata, "tokenizer.ggml.merges").map(mergePair).filter((m) => m !== null);
  return {
    version: "1.0",
    added_tokens: addedTokens(tokens, types),
    normalizer: { type: "Replace", pattern: { String: " " }, content: SPACE },
    pre_tokenizer: { type: "Split", pattern: { Regex: "[^\\n]+|[\\n]+" }, behavior: "Isolated", invert: false },
    // llama.cpp adds a BOS token to Gemma 4's prompts whatever the file says
    post_processor: postProcessor(file, tokens, { addBos: true, addSep: false, bos: null, sep: null }, true),
    decoder: { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: SPACE }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }] },
    model: { type: "BPE", vocab: vocabOf(tokens, types), merges, byte_fallback: true, fuse_unk: false, unk_token: null, ignore_merges: false },
  };
}

/** llama.cpp's tokenizer.ggml.model for BERT's WordPiece. */
const GGUF_WPM_TOKENIZER = "bert";

function optionalBool(file: GgufFile, key: string, fallback: boolean): boolean {
  const v = file.metadata.get(key);
  return v?.type === "bool" ? v.value : fallback;
}

/** WordPiece (model type "WPM", tokenizer/wordpiece.ts), with llama.cpp's normalizer defaults: lowercase and strip accents. */
function wpmTokenizerJson(file: GgufFile): unknown {
  const tokens = metadataStrings(file.metadata, "tokenizer.ggml.tokens");
  const types = tokenTypes(file, tokens.length);
  const unk = file.metadata.get("tokenizer.ggml.unknown_token_id");
  if (typeof unk?.value !== "number" || unk.value >= tokens.length) throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", "GGUF: a WordPiece vocabulary needs tokenizer.ggml.unknown_token_id, a token's id", { field: "tokenizer.ggml.unknown_token_id" });
  const lowercase = optionalBool(file, "tokenizer.ggml.normalizer.lowercase", true);
  return {
    version: "1.0",
    added_tokens: addedTokens(tokens, types),
    normalizer: null,
    pre_tokenizer: null,
    post_processor: postProcessor(file, tokens, { addBos: true, addSep: true, bos: 101, sep: 102 }),
    decoder: null,
    model: {
      type: "WPM",
      vocab: vocabOf(tokens, types),
      unk_id: unk.value,
      lowercase,
      // llama.cpp: strip_accents follows lowercase unless the file says
      strip_accents: optionalBool(file, "tokenizer.ggml.normalizer.strip_accents", lowercase),
    },
  };
}

/** The file's tokenizer.chat_template with its bos and eos tokens' text; null when it has none. */
export function chatTemplateOfGguf(file: GgufFile): ChatTemplate | null {
  if (!file.metadata.has("tokenizer.chat_template")) return null;
  const tokens = file.metadata.get("tokenizer.ggml.tokens");
  const text = (key: string) => {
    const id = file.metadata.get(key);
    return id && typeof id.value === "number" && tokens?.type === "array" && tokens.itemType === "string" ? (tokens.value[id.value] ?? "") : "";
  };
  return { template: metadataString(file.metadata, "tokenizer.chat_template"), bosToken: text("tokenizer.ggml.bos_token_id"), eosToken: text("tokenizer.ggml.eos_token_id") };
}

export function tokenizerJsonFromGguf(file: GgufFile): unknown {
  const model = metadataString(file.metadata, "tokenizer.ggml.model");
  if (model === GGUF_SPM_TOKENIZER) return spmTokenizerJson(file);
  if (model === GGUF_GEMMA4_TOKENIZER) return gemma4TokenizerJson(file);
  if (model === GGUF_WPM_TOKENIZER) return wpmTokenizerJson(file);
  if (model !== GGUF_BPE_TOKENIZER) {
    throw new RefuteError("GGUF_UNSUPPORTED_TOKENIZER", `GGUF: tokenizer.ggml.model "${model}" is not one refute implements (byte-level BPE "${GGUF_BPE_TOKENIZER}", SentencePiece "${GGUF_SPM_TOKENIZER}", "${GGUF_GEMMA4_TOKENIZER}", WordPiece "${GGUF_WPM_TOKENIZER}"; Unigram vocabularies are not implemented)`, { field: "tokenizer.ggml.model", found: model });
  }
  const preTokenizer = preTokenizerOf(file);
  const pre = metadataString(file.metadata, "tokenizer.ggml.pre");
  const tokens = metadataStrings(file.metadata, "tokenizer.ggml.tokens");
  const types = tokenTypes(file, tokens.length);
  const vocab = vocabOf(tokens, types);
  return {
    version: "1.0",
    added_tokens: addedTokens(tokens, types),
    normalizer: null,
    pre_tokenizer: preTokenizer.json,
    // llama.cpp's BPE defaults: no BOS (its id 11 where the file names none) but for the Llama 3 names, and no SEP but for RoBERTa's
    post_processor: postProcessor(file, tokens, { addBos: LLAMA_ADD_BOS_BY_DEFAULT.has(pre), addSep: ["jina-v1-en", "jina-v2-code", "roberta-bpe"].includes(pre), bos: 11, sep: null }),
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", vocab, merges: file.metadata.has("tokenizer.ggml.merges") ? metadataStrings(file.metadata, "tokenizer.ggml.merges") : [], ignore_merges: preTokenizer.ignoreMerges },
  };
}
