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

/** How tokens become text: as a stream (the text of all ids so far) or each token on its own (a buggy streamer). */
type Mode = "stream" | "per-token";

export class StreamingDecoder {
  private readonly ids: number[] = [];
  private emitted = "";
  /** undefined while the perToken hook has not been read: until the two modes first disagree */
  private mode: Mode | undefined;

  /**
   * perToken: decode each token on its own (a buggy streamer: U+FFFD wherever a character spans
   * tokens). As a function (a hook), it is read only when the two ways first say something
   * different: while each token's text on its own is the stream's delta, the hook changes
   * nothing, and a text that never needs it never reads it.
   */
  constructor(
    private readonly tokenizer: Pick<Tokenizer, "decode" | "tokenText">,
    private readonly perToken: boolean | (() => boolean) = false,
  ) {
    if (typeof perToken === "boolean") this.mode = perToken ? "per-token" : "stream";
  }

  /** The text this token adds; "" while it ends inside a character. */
  push(id: number): string {
    if (this.mode === "per-token") return this.alone(id);
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids);
    const held = text.endsWith(REPLACEMENT) || BYTE_TOKEN.test(this.tokenizer.tokenText(id)) || !text.startsWith(this.emitted);
    const delta = held ? "" : text.slice(this.emitted.length);
    if (this.mode === undefined && delta !== this.tokenizer.decode([id]) && this.decide() === "per-token") return this.alone(id);
    if (!held) this.emitted = text;
    return delta;
  }

  /** Whatever is still held back (an incomplete character at the end becomes U+FFFD, as decoding all would). */
  flush(): string {
    if (this.mode === "per-token") return "";
    const text = this.tokenizer.decode(this.ids);
    const rest = text.startsWith(this.emitted) ? text.slice(this.emitted.length) : "";
    if (rest !== "" && this.mode === undefined && this.decide() === "per-token") return "";
    this.emitted += rest;
    return rest;
  }

  /** Everything emitted so far. */
  get text(): string {
    return this.emitted;
  }

  /** The mode, from the hook, once the two modes disagree. */
  private decide(): Mode {
    this.mode = typeof this.perToken === "function" && this.perToken() ? "per-token" : "stream";
    return this.mode;
  }

  /** The token decoded on its own, emitted. */
  private alone(id: number): string {
    const delta = this.tokenizer.decode([id]);
    this.emitted += delta;
    return delta;
  }
}
