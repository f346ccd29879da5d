// Text as a stream of generated tokens reveals it: each token's delta is what the ids so far
// decode to beyond what earlier deltas said. A byte-level or byte-fallback vocabulary splits a
// character across tokens (an emoji is four <0xNN> tokens; a CJK character two or three byte
// tokens), so the decoded text of a prefix may end in an incomplete sequence, which decodes to
// U+FFFD: such a tail is held back until the token that completes it, and flushed as it is only
// at the end. A run of byte-fallback tokens (<0xNN>) is held back whole until it ends: Hugging
// Face's ByteFallback decodes an invalid run as one U+FFFD per token, so its earlier bytes'
// text is not final before the run is. The concatenated deltas therefore equal decoding all the
// ids at once.
//
// Only the ids since the text was last final are decoded again (vLLM's incremental
// detokenization keeps such an offset too): once a token leaves the text not held back, that
// text is a prefix of every later one, and the ids after it decode to the rest on their own
// (Tokenizer.decodeContinuation: a complete character leaves UTF-8 decoding in its initial
// state, no run of byte tokens spans the cut, and the leading-space strip was spent on the
// non-empty text before it). A stream of n tokens costs O(n) token decodes, not O(n^2), but for
// a run of byte tokens, decoded again whole at each of its tokens until it ends.

import { byteOfToken } from "./byte-fallback.ts";
import type { Tokenizer } from "./tokenizer.ts";

const REPLACEMENT = "\uFFFD";

/** How tokens become text: as a stream (the text of all ids so far) or each token on its own (a buggy streamer). */
type Mode = "stream" | "per-token";

export class StreamingDecoder {
  /** The ids after the last final text: their text is all not yet emitted. */
  private pending: number[] = [];
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
    private readonly tokenizer: Pick<Tokenizer, "decode" | "decodeContinuation" | "tokenText">,
    private readonly perToken: boolean | (() => boolean) = false,
  ) {
    if (typeof perToken === "boolean") this.mode = perToken ? "per-token" : "stream";
  }

  /** The text this token adds; "" while it ends inside a character. */
  push(id: number): string {
    if (this.mode === "per-token") return this.alone(id);
    this.pending.push(id);
    const text = this.pendingText();
    const held = text.endsWith(REPLACEMENT) || byteOfToken(this.tokenizer.tokenText(id)) !== null;
    const delta = held ? "" : text;
    if (this.mode === undefined && delta !== this.tokenizer.decode([id]) && this.decide() === "per-token") return this.alone(id);
    if (!held) this.emit(text);
    return delta;
  }

  /** Whatever is still held back (an incomplete character at the end becomes U+FFFD, as decoding all would); the stream ends here. */
  flush(): string {
    if (this.mode === "per-token") return "";
    const rest = this.pendingText();
    if (rest !== "" && this.mode === undefined && this.decide() === "per-token") return "";
    this.emitted += rest;
    this.pending = [];
    return rest;
  }

  /** Everything emitted so far. */
  get text(): string {
    return this.emitted;
  }

  /** The text of the pending ids: the start of the whole text (stripped) while nothing is emitted, else its continuation. */
  private pendingText(): string {
    return this.emitted === "" ? this.tokenizer.decode(this.pending) : this.tokenizer.decodeContinuation(this.pending);
  }

  /** The pending ids' text is final: emitted, and later ids decode after it. An empty start stays pending (the leading-space strip is not yet spent). */
  private emit(text: string): void {
    this.emitted += text;
    if (this.emitted !== "") this.pending = [];
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
