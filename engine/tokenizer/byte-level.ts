// GPT-2's byte-level alphabet: each of the 256 byte values maps to one printable unicode
// character, so BPE can work on strings while staying lossless on arbitrary bytes.

function buildByteToChar(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let next = 256;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(next++);
  return table;
}

export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

const encoder = new TextEncoder();

export function bytesToSymbols(text: string): string[] {
  return Array.from(encoder.encode(text), (b) => BYTE_TO_CHAR[b]);
}

/** The bytes a byte-level string stands for; characters outside the alphabet are UTF-8 encoded as is. */
export function symbolsToBytes(symbols: string, out: number[]): void {
  for (const ch of symbols) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b !== undefined) out.push(b);
    else out.push(...encoder.encode(ch));
  }
}
