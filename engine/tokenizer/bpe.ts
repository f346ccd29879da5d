// Byte-pair encoding of one pre-tokenized piece: start from its byte-level symbols and
// repeatedly merge the adjacent pair with the lowest merge rank until none applies.

import { RefuteError } from "../../core/errors.ts";
import { bytesToSymbols } from "./byte-level.ts";

export interface BpeModel {
  vocab: Map<string, number>;
  ranks: Map<string, number>; // "left right" -> rank (0 merges first)
  ignoreMerges: boolean; // a piece that is itself in the vocabulary is one token
}

export function bpeSymbols(model: BpeModel, symbols: string[]): string[] {
  const parts = [...symbols];
  while (parts.length > 1) {
    let bestRank = Infinity;
    let bestAt = -1;
    for (let i = 0; i < parts.length - 1; i++) {
      const rank = model.ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        bestAt = i;
      }
    }
    if (bestAt < 0) break;
    // Merge every occurrence of the best pair, left to right, as the reference BPE does.
    const left = parts[bestAt];
    const right = parts[bestAt + 1];
    for (let i = bestAt; i < parts.length - 1; i++) {
      if (parts[i] === left && parts[i + 1] === right) parts.splice(i, 2, left + right);
    }
  }
  return parts;
}

export function encodePiece(model: BpeModel, piece: string, cache: Map<string, number[]>): number[] {
  const cached = cache.get(piece);
  if (cached) return cached;
  const symbols = bytesToSymbols(piece);
  const whole = symbols.join("");
  const merged = model.ignoreMerges && model.vocab.has(whole) ? [whole] : bpeSymbols(model, symbols);
  const ids = merged.map((s) => {
    const id = model.vocab.get(s);
    if (id === undefined) throw new RefuteError("TOKENIZER_UNKNOWN_SYMBOL", `symbol ${JSON.stringify(s)} is not in the vocabulary`, { symbol: s });
    return id;
  });
  if (cache.size < 65536) cache.set(piece, ids);
  return ids;
}
