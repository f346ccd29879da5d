// A Hugging Face SentencePiece-style tokenizer.json (a BPE model with byte_fallback over "▁"
// text: what transformers' LlamaConverter writes for Llama 2, TinyLlama, Mistral) as llama.cpp's
// SentencePiece vocabulary (tokenizer.ggml.model GGUF_SPM_TOKENIZER): tokens by id, a score per token, token
// types. llama.cpp merges the adjacent pair whose concatenation is the best-scored token, so a
// token's score is minus the rank of the first merge that makes it: LlamaConverter listed every
// split of a token, best-scored token first, so the ranks give back the original order. Tokens no
// merge makes (single characters, bytes, specials) score 0 and are never the product of a merge.

import { RefuteError } from "../../core/errors.ts";
import type { GgufValue } from "../formats/gguf/value.ts";
import type { Architecture } from "./architecture.ts";
import { GGUF_SPM_TOKENIZER } from "./gguf-vocab.ts";

// llama.cpp's token types
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const USER_DEFINED = 4;
const UNUSED = 5;
const BYTE = 6;

const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

interface SentencePieceJson {
  model: { type?: string; byte_fallback?: boolean; unk_token?: string | null; vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens?: { id: number; content: string; special?: boolean }[];
  normalizer?: { type?: string; normalizers?: { type?: string }[] } | null;
  pre_tokenizer?: { type?: string; prepend_scheme?: string } | null;
  post_processor?: { type?: string; single?: ({ SpecialToken?: { id: string } } | { Sequence?: unknown })[] } | null;
}

/** Whether a tokenizer.json is the SentencePiece-style BPE (byte fallback) rather than byte-level BPE. */
export function isSentencePieceBpe(tokenizerJson: unknown): boolean {
  const t = tokenizerJson as SentencePieceJson;
  return t?.model?.type === "BPE" && t.model.byte_fallback === true;
}

function scoresFromMerges(t: SentencePieceJson, vocabSize: number): Float32Array {
  const scores = new Float32Array(vocabSize);
  const seen = new Set<number>();
  t.model.merges.forEach((m, rank) => {
    const [left, right] = typeof m === "string" ? m.split(" ") : m;
    const id = t.model.vocab[left + right];
    if (id === undefined || seen.has(id)) return;
    seen.add(id);
    scores[id] = -rank;
  });
  return scores;
}

/** "▁" put before the text: the legacy normalizer's Prepend, or a Metaspace pre-tokenizer that prepends. */
function addsSpacePrefix(t: SentencePieceJson): boolean {
  const normalizers = t.normalizer?.type === "Sequence" ? (t.normalizer.normalizers ?? []) : t.normalizer ? [t.normalizer] : [];
  if (normalizers.some((n) => n.type === "Prepend")) return true;
  return t.pre_tokenizer?.type === "Metaspace" && t.pre_tokenizer.prepend_scheme !== "never";
}

/** Whether the post-processor puts a special token before the text (TinyLlama's "<s> $A"). */
function addsBos(t: SentencePieceJson): boolean {
  const first = t.post_processor?.type === "TemplateProcessing" ? t.post_processor.single?.[0] : undefined;
  return first !== undefined && "SpecialToken" in first;
}

export function spmTokenizerKeys(arch: Architecture, tokenizerJson: unknown): [string, GgufValue][] {
  const t = tokenizerJson as SentencePieceJson;
  const tokens: string[] = new Array(arch.vocabSize).fill("");
  const types = new Int32Array(arch.vocabSize).fill(UNUSED);
  for (const [token, id] of Object.entries(t.model.vocab)) {
    if (id >= arch.vocabSize) throw new RefuteError("GGUF_EXPORT_VOCAB", `token ${JSON.stringify(token)} has id ${id} beyond the vocabulary of ${arch.vocabSize}`, { token });
    tokens[id] = token;
    types[id] = BYTE_TOKEN.test(token) ? BYTE : token === t.model.unk_token ? UNKNOWN : NORMAL;
  }
  for (const added of t.added_tokens ?? []) {
    tokens[added.id] = added.content;
    if (added.content !== t.model.unk_token) types[added.id] = added.special ? CONTROL : USER_DEFINED;
  }
  tokens.forEach((token, id) => {
    if (token === "") tokens[id] = `[PAD${id}]`;
  });
  const unk = t.model.unk_token ? t.model.vocab[t.model.unk_token] : undefined;
  const keys: [string, GgufValue][] = [
    ["tokenizer.ggml.model", { type: "string", value: GGUF_SPM_TOKENIZER }],
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tokens }],
    ["tokenizer.ggml.scores", { type: "array", itemType: "f32", value: scoresFromMerges(t, arch.vocabSize) }],
    ["tokenizer.ggml.token_type", { type: "array", itemType: "i32", value: types }],
    ["tokenizer.ggml.add_space_prefix", { type: "bool", value: addsSpacePrefix(t) }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: addsBos(t) }],
  ];
  if (unk !== undefined) keys.push(["tokenizer.ggml.unknown_token_id", { type: "u32", value: unk }]);
  return keys;
}
