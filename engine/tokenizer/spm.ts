// SentencePiece-style BPE, as llama.cpp runs a GGUF vocabulary whose tokenizer.ggml.model is SentencePiece
// (Llama 2, TinyLlama, Mistral, Phi-3): the text's spaces are written as U+2581 ("▁"), one
// more is put before a text that starts the input or follows a special token (when the
// vocabulary says add_space_prefix), the text is split into its characters, and the adjacent
// pair whose concatenation is a token with the highest score is merged, again and again (ties:
// the leftmost pair). A merge only ever makes a token, so a final symbol that is not a token
// is a single character the vocabulary lacks: it is spelled in byte tokens "<0xNN>" (byte
// fallback), or the unknown token where a byte has none.

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

interface Symbol {
  text: string;
  prev: number;
  next: number;
  live: boolean;
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  text: string;
}

/** A max-heap of bigrams: highest score first, then the leftmost. */
class BigramQueue {
  private readonly items: Bigram[] = [];
  private static before(a: Bigram, b: Bigram): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }
  get size(): number {
    return this.items.length;
  }
  push(b: Bigram): void {
    const items = this.items;
    items.push(b);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!BigramQueue.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): Bigram {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as Bigram;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && BigramQueue.before(items[l], items[best])) best = l;
        if (r < items.length && BigramQueue.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

/** The text as the vocabulary writes it: spaces as "▁", one before it when it starts a segment and the vocabulary adds a prefix. */
export function spmEscape(model: SpmModel, text: string, startsSegment: boolean): string {
  return `${model.addSpacePrefix && startsSegment ? " " : ""}${text}`.replace(/ /g, SPACE);
}

/** The ids of an escaped text (spmEscape), merged by score. */
export function encodeSpm(model: SpmModel, text: string): number[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const symbols: Symbol[] = chars.map((c, i) => ({ text: c, prev: i - 1, next: i + 1 < chars.length ? i + 1 : -1, live: true }));
  const queue = new BigramQueue();
  const tryBigram = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const joined = symbols[left].text + symbols[right].text;
    const id = model.vocab.get(joined);
    if (id === undefined) return;
    queue.push({ left, right, score: model.scores[id] ?? 0, text: joined });
  };
  for (let i = 1; i < symbols.length; i++) tryBigram(i - 1, i);
  while (queue.size > 0) {
    const b = queue.pop();
    const left = symbols[b.left];
    const right = symbols[b.right];
    // stale: one side was merged into another since this pair was queued
    if (!left.live || !right.live || left.next !== b.right || left.text + right.text !== b.text) continue;
    left.text = b.text;
    right.live = false;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = b.left;
    tryBigram(left.prev, b.left);
    tryBigram(b.left, left.next);
  }
  const ids: number[] = [];
  for (let i = 0; i !== -1; i = symbols[i].next) {
    const id = model.vocab.get(symbols[i].text);
    if (id !== undefined) {
      ids.push(id);
      continue;
    }
    for (const byte of new TextEncoder().encode(symbols[i].text)) {
      const b = model.byteTokens.get(byte) ?? model.unknown;
      if (b !== null) ids.push(b);
    }
  }
  return ids;
}

/** The bytes a vocabulary token stands for: "<0xNN>" one byte, any other its text with "▁" as a space. */
export function spmTokenBytes(token: string, out: number[]): void {
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
  if (byte) out.push(Number.parseInt(byte[1], 16));
  else out.push(...new TextEncoder().encode(token.replace(/\u2581/g, " ")));
}
