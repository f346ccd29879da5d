// WordPiece as llama.cpp runs a GGUF BERT vocabulary (tokenizer.ggml.model "bert", its WPM
// tokenizer): the text is cut into words at whitespace, every punctuation character, ASCII
// symbol and CJK ideograph is a word of its own, control characters are dropped, letters are
// lowercased, and with strip_accents the text is decomposed (NFD) and its combining marks
// dropped. Each word, with "▁" before it (the GGUF writes word-initial pieces with "▁" where
// Hugging Face's vocab.txt writes continuations with "##"), is covered greedily by the longest
// token at each position; a word that cannot be covered is the unknown token.

export interface WordPieceModel {
  vocab: Map<string, number>;
  unknown: number;
  lowercase: boolean;
  stripAccents: boolean;
  /** Code units of the longest token: how far a match is looked for. */
  maxTokenLength: number;
}

export const WORD_START = "\u2581";

const WHITESPACE = /^\p{White_Space}$/u;
const CONTROL = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const ACCENT = /^\p{M}$/u;
const PUNCTUATION = /^\p{P}$/u;
const SYMBOL = /^\p{S}$/u;

/** CJK ideographs as llama.cpp lists them (after Hugging Face's Rust code, 0x2B920 included). */
function isChinese(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** The words of a text, normalized. */
export function wordPieceWords(model: WordPieceModel, text: string): string[] {
  const source = model.stripAccents ? text.normalize("NFD") : text;
  const words: string[] = [];
  let word = "";
  const finish = () => {
    if (word) words.push(word);
    word = "";
  };
  for (const ch of source) {
    const cp = ch.codePointAt(0) as number;
    if (WHITESPACE.test(ch)) {
      finish();
      continue;
    }
    if (cp === 0 || cp === 0xfffd || CONTROL.test(ch) || (model.stripAccents && ACCENT.test(ch))) continue;
    const c = model.lowercase ? ch.toLowerCase() : ch;
    if (PUNCTUATION.test(ch) || (cp < 0x7f && SYMBOL.test(ch)) || isChinese(cp)) {
      finish();
      words.push(c);
    } else {
      word += c;
    }
  }
  finish();
  return words;
}

/** The ids of one word: longest tokens first, from left to right; unknown where it cannot be covered. */
export function wordPieceIds(model: WordPieceModel, word: string): number[] {
  const text = WORD_START + word;
  const ids: number[] = [];
  for (let i = 0; i < text.length; ) {
    let found = false;
    for (let j = Math.min(text.length, i + model.maxTokenLength); j > i; j--) {
      const id = model.vocab.get(text.slice(i, j));
      if (id !== undefined) {
        ids.push(id);
        i = j;
        found = true;
        break;
      }
    }
    if (!found) return [model.unknown];
  }
  return ids;
}

export function encodeWordPiece(model: WordPieceModel, text: string): number[] {
  return wordPieceWords(model, text).flatMap((w) => wordPieceIds(model, w));
}
