// Text as a stream of generated tokens reveals it: each token's delta is what the ids so far
// decode to beyond what earlier deltas said. A byte-level or byte-fallback vocabulary splits a
// character across tokens (an emoji is four <0xNN> tokens; a CJK character two or three byte
// tokens), so the decoded text of a prefix may end in an incomplete sequence, which decodes to
// U+FFFD: such a tail is held back until the token that completes it, and flushed as it is only
// at the end. A run of byte-fallback tokens (<0xNN>) is held back whole until it ends: Hugging
// Face's ByteFallback decodes an invalid run as one U+FFFD per token, so its earlier bytes'
// text is not final before the run is. The concatenated deltas therefore equal decoding all the
// ids at once.

import type { Tokenizer } from "./tokenizer.ts";

const REPLACEMENT = "\uFFFD";
const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

export class StreamingDecoder {
  private readonly ids: number[] = [];
  private emitted = "";

  /** perToken: decode each token on its own (a buggy streamer: U+FFFD wherever a character spans tokens). */
  constructor(
    private readonly tokenizer: Pick<Tokenizer, "decode" | "tokenText">,
    private readonly perToken = false,
  ) {}

  /** The text this token adds; "" while it ends inside a character. */
  push(id: number): string {
    if (this.perToken) {
      const delta = this.tokenizer.decode([id]);
      this.emitted += delta;
      return delta;
    }
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids);
    if (text.endsWith(REPLACEMENT) || BYTE_TOKEN.test(this.tokenizer.tokenText(id)) || !text.startsWith(this.emitted)) return "";
    return this.take(text);
  }

  /** Whatever is still held back (an incomplete character at the end becomes U+FFFD, as decoding all would). */
  flush(): string {
    if (this.perToken) return "";
    const text = this.tokenizer.decode(this.ids);
    return text.startsWith(this.emitted) ? this.take(text) : "";
  }

  /** Everything emitted so far. */
  get text(): string {
    return this.emitted;
  }

  private take(text: string): string {
    const delta = text.slice(this.emitted.length);
    this.emitted = text;
    return delta;
  }
}
