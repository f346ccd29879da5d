// Byte-pair encoding of one pre-tokenized piece, as Hugging Face's BPE model does it: start
// from the piece's symbols and merge the adjacent pair with the lowest merge rank until none
// applies (merge-queue.ts). The symbols are GPT-2's byte-level characters (byte-level BPE:
// GPT-2, SmolLM, Qwen2, Llama 3) or the piece's own characters (SentencePiece-style BPE: Llama
// 2, TinyLlama, Gemma), where a character the vocabulary lacks falls back to its bytes' tokens
// (byte_fallback) or the unknown token.

import { RefuteError } from "../../core/errors.ts";
import { fallbackIds } from "./byte-fallback.ts";
import { bytesToSymbols } from "./byte-level.ts";
import { mergeSymbols } from "./merge-queue.ts";

export interface BpeModel {
  vocab: Map<string, number>;
  ranks: Map<string, number>; // "left right" -> rank (0 merges first)
  ignoreMerges: boolean; // a piece that is itself in the vocabulary is one token
  byteLevel: boolean; // symbols are byte-level characters, not the text's own
  /** "<0xNN>" ids where the model has byte_fallback, else null. */
  byteFallback: Map<number, number> | null;
  unknown: number | null; // the unknown token's id, where the model names one
  fuseUnknown: boolean; // consecutive unknown symbols are one unknown token
}

export function bpeSymbols(model: BpeModel, symbols: readonly string[]): string[] {
  return mergeSymbols(symbols, (left, right) => model.ranks.get(`${left} ${right}`));
}

function symbolIds(model: BpeModel, symbol: string, ids: number[]): void {
  const id = model.vocab.get(symbol);
  if (id !== undefined) {
    ids.push(id);
    return;
  }
  if (model.byteFallback) {
    ids.push(...fallbackIds(symbol, model.byteFallback, model.unknown));
    return;
  }
  if (model.unknown === null) throw new RefuteError("TOKENIZER_UNKNOWN_SYMBOL", `symbol ${JSON.stringify(symbol)} is not in the vocabulary, and the model has no unknown token`, { symbol });
  if (model.fuseUnknown && ids.length > 0 && ids[ids.length - 1] === model.unknown) return;
  ids.push(model.unknown);
}

export function encodePiece(model: BpeModel, piece: string, cache: Map<string, number[]>): number[] {
  const cached = cache.get(piece);
  if (cached) return cached;
  const symbols = model.byteLevel ? bytesToSymbols(piece) : Array.from(piece);
  const whole = symbols.join("");
  const merged = model.ignoreMerges && model.vocab.has(whole) ? [whole] : bpeSymbols(model, symbols);
  const ids: number[] = [];
  for (const s of merged) symbolIds(model, s, ids);
  if (cache.size < 65536 && piece.length < 256) cache.set(piece, ids);
  return ids;
}
