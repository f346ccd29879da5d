// Byte fallback, as SentencePiece vocabularies have it: a character the vocabulary lacks is
// spelled in the tokens "<0x00>".."<0xFF>" of its UTF-8 bytes; a byte without such a token
// becomes the unknown token, or nothing where there is none (llama.cpp drops it too).

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const encoder = new TextEncoder();

/** The id of "<0xNN>" for each byte the vocabulary has one for. */
export function byteTokenIds(vocab: ReadonlyMap<string, number>): Map<number, number> {
  const ids = new Map<number, number>();
  for (const [token, id] of vocab) {
    // upper-case hex only: the spelling SentencePiece writes and llama.cpp looks up
    const m = /^<0x([0-9A-F]{2})>$/.exec(token);
    if (m) ids.set(Number.parseInt(m[1], 16), id);
  }
  return ids;
}

/** The ids that spell a symbol the vocabulary lacks. */
export function fallbackIds(symbol: string, byteTokens: ReadonlyMap<number, number>, unknown: number | null): number[] {
  const ids: number[] = [];
  for (const byte of encoder.encode(symbol)) {
    const id = byteTokens.get(byte) ?? unknown;
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** The byte a token "<0xNN>" stands for, or null for any other token. */
export function byteOfToken(token: string): number | null {
  const m = BYTE_TOKEN.exec(token);
  return m ? Number.parseInt(m[1], 16) : null;
}
