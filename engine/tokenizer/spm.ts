// SentencePiece-style BPE, as llama.cpp runs a GGUF vocabulary whose tokenizer.ggml.model is SentencePiece
// (Llama 2, TinyLlama, Mistral, Phi-3): the text's spaces are written as U+2581 ("▁"), one
// more is put before a text that starts the input or follows a special token (when the
// vocabulary says add_space_prefix), the text is split into its characters, and the adjacent
// pair whose concatenation is a token with the highest score is merged, again and again (ties:
// the leftmost pair). A merge only ever makes a token, so a final symbol that is not a token
// is a single character the vocabulary lacks: it is spelled in byte tokens "<0xNN>" (byte
// fallback), or the unknown token where a byte has none.

import { byteOfToken, fallbackIds } from "./byte-fallback.ts";
import { mergeSymbols } from "./merge-queue.ts";

/** Where a word's spaces go: "▁" stands for " " in the vocabulary. */
export const SPACE = "\u2581";

export interface SpmModel {
  vocab: Map<string, number>;
  scores: ArrayLike<number>; // by id
  addSpacePrefix: boolean;
  /** The id of "<0xNN>" for each byte, where the vocabulary has it. */
  byteTokens: Map<number, number>;
  unknown: number | null;
}

/** The text as the vocabulary writes it: spaces as "▁", one before it where the vocabulary adds a prefix (llama.cpp: before the input's text and before text after a special token alike). */
export function spmEscape(model: SpmModel, text: string): string {
  return `${model.addSpacePrefix ? " " : ""}${text}`.replace(/ /g, SPACE);
}

/** The ids of an escaped text (spmEscape), merged by score. */
export function encodeSpm(model: SpmModel, text: string): number[] {
  const merged = mergeSymbols(Array.from(text), (left, right) => {
    const id = model.vocab.get(left + right);
    return id === undefined ? undefined : -(model.scores[id] ?? 0);
  });
  return merged.flatMap((symbol) => {
    const id = model.vocab.get(symbol);
    return id !== undefined ? [id] : fallbackIds(symbol, model.byteTokens, model.unknown);
  });
}

/** The bytes a vocabulary token stands for: "<0xNN>" one byte, any other its text with "▁" as a space. */
export function spmTokenBytes(token: string, out: number[]): void {
  const byte = byteOfToken(token);
  if (byte !== null) out.push(byte);
  else out.push(...new TextEncoder().encode(token.replace(/\u2581/g, " ")));
}
