// The merge loop both BPE kinds share: a word starts as its symbols, and the adjacent pair with
// the best priority (lowest number) is merged, again and again, ties to the leftmost pair, until
// no adjacent pair has one. Hugging Face's BPE gives a pair its merge rank; SentencePiece (and
// llama.cpp's SPM tokenizer) the negated score of the token the two make. A heap of candidate
// pairs keeps it O(n log n) in the word's length: SentencePiece-style vocabularies merge over a
// whole line, not a word.

interface Symbol {
  text: string;
  next: number; // -1 at the end
  prev: number; // -1 at the start
  live: boolean;
}

interface Pair {
  left: number;
  right: number;
  priority: number;
  text: string; // left + right when queued: a pair whose sides changed since is stale
}

function before(a: Pair, b: Pair): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.left < b.left);
}

/** A binary min-heap of pairs. */
class PairQueue {
  private readonly items: Pair[] = [];
  get size(): number {
    return this.items.length;
  }
  push(p: Pair): void {
    const items = this.items;
    items.push(p);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): Pair {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as Pair;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && before(items[l], items[best])) best = l;
        if (r < items.length && before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

/** The priority of merging `left` and `right`, or undefined where they do not merge. */
export type PairPriority = (left: string, right: string) => number | undefined;

/** The symbols left when no adjacent pair merges any more. */
export function mergeSymbols(initial: readonly string[], priorityOf: PairPriority): string[] {
  if (initial.length < 2) return [...initial];
  const symbols: Symbol[] = initial.map((text, i) => ({ text, prev: i - 1, next: i + 1 < initial.length ? i + 1 : -1, live: true }));
  const queue = new PairQueue();
  const consider = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const priority = priorityOf(symbols[left].text, symbols[right].text);
    if (priority !== undefined) queue.push({ left, right, priority, text: symbols[left].text + symbols[right].text });
  };
  for (let i = 1; i < symbols.length; i++) consider(i - 1, i);
  while (queue.size > 0) {
    const p = queue.pop();
    const left = symbols[p.left];
    const right = symbols[p.right];
    // stale: a side was merged away, or grew, since the pair was queued
    if (!left.live || !right.live || left.next !== p.right || left.text + right.text !== p.text) continue;
    left.text = p.text;
    right.live = false;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = p.left;
    consider(left.prev, p.left);
    consider(p.left, left.next);
  }
  const out: string[] = [];
  for (let i = 0; i !== -1; i = symbols[i].next) out.push(symbols[i].text);
  return out;
}
