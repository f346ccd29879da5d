// Stop strings as OpenAI's API defines them: generation ends where the text first contains
// one, and the stop string is not part of the answer. A streamed answer cannot send text
// that might be the start of a stop string, so that tail is held back until the next text
// proves it is not (or the answer ends and it is sent).

export interface StopResult {
  text: string; // what may be sent now
  stopped: boolean; // a stop string was reached: `text` ends just before it
}

export class StopMatcher {
  private pending = "";

  constructor(private readonly stops: readonly string[]) {}

  /** Takes the next text of the answer. */
  push(delta: string): StopResult {
    if (this.stops.length === 0) return { text: delta, stopped: false };
    const text = this.pending + delta;
    let first = -1;
    for (const s of this.stops) {
      const at = text.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) {
      this.pending = "";
      return { text: text.slice(0, first), stopped: true };
    }
    const held = heldTail(text, this.stops);
    this.pending = text.slice(text.length - held);
    return { text: text.slice(0, text.length - held), stopped: false };
  }

  /** The held-back tail, at the end of an answer that reached no stop string. */
  flush(): string {
    const rest = this.pending;
    this.pending = "";
    return rest;
  }
}

/** The length of the longest suffix of `text` that is a proper prefix of a stop string. */
function heldTail(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const s of stops) {
    for (let n = Math.min(s.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(s.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}
