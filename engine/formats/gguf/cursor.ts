// A little-endian reader over untrusted bytes. Every read checks that its bytes are present
// (GGUF_TRUNCATED otherwise), and every length or count is checked against what the remaining
// bytes could possibly hold before anything is allocated for it.

import { RefuteError } from "../../../core/errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class GgufCursor {
  readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Claims n bytes for `what` and returns where they start. */
  take(n: number, what: string): number {
    if (n > this.remaining) {
      throw new RefuteError("GGUF_TRUNCATED", `GGUF: file ends inside ${what} (needs ${n} bytes at offset ${this.pos}, ${this.remaining} left)`, {
        field: what,
        offset: this.pos,
        expected: n,
        found: this.remaining,
      });
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what: string): number {
    return this.view.getUint8(this.take(1, what));
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  u64(what: string): bigint {
    return this.view.getBigUint64(this.take(8, what), true);
  }

  /**
   * A u64 count of items each at least minItemBytes long; refuses counts the rest of the file
   * cannot hold, so a hostile count never sizes an allocation or a loop.
   */
  count(what: string, minItemBytes: number): number {
    const at = this.pos;
    const n = this.u64(what);
    if (n * BigInt(minItemBytes) > BigInt(this.remaining)) {
      throw new RefuteError("GGUF_COUNT_TOO_LARGE", `GGUF: ${what} is ${n} at offset ${at}, but only ${this.remaining} bytes follow (${minItemBytes}+ bytes each)`, {
        field: what,
        offset: at,
        found: n.toString(),
        expected: `at most ${Math.floor(this.remaining / minItemBytes)}`,
      });
    }
    return Number(n);
  }

  /** A gguf_string: u64 byte length, then UTF-8 bytes. */
  string(what: string): string {
    const at = this.pos;
    const n = this.u64(`${what} length`);
    if (n > BigInt(this.remaining)) {
      throw new RefuteError("GGUF_STRING_TOO_LONG", `GGUF: ${what} at offset ${at} claims ${n} bytes, only ${this.remaining} follow`, {
        field: what,
        offset: at,
        found: n.toString(),
        expected: `at most ${this.remaining}`,
      });
    }
    const start = this.take(Number(n), what);
    try {
      return utf8.decode(this.bytes.subarray(start, start + Number(n)));
    } catch {
      throw new RefuteError("GGUF_BAD_UTF8", `GGUF: ${what} at offset ${at} is not valid UTF-8`, { field: what, offset: at });
    }
  }
}
