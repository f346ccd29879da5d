// Test support: decoders written from the block layout specifications alone (llama.cpp's
// ggml-common.h block structs and their documented packing), independent of the decoders under
// test. They compute in binary64 and return exact block parameters, so tests can state bounds
// in terms of them. Each takes one block's bytes.

/** An IEEE half from its two little-endian bytes, by the binary16 definition. */
export function specHalf(lo: number, hi: number): number {
  const bits = lo | (hi << 8);
  const sign = bits >= 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 31;
  const fraction = bits & 1023;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * fraction * Math.pow(2, -24);
  return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
}

function int8(byte: number): number {
  return byte > 127 ? byte - 256 : byte;
}

/** Q8_0 (34 bytes): half d, then 32 signed bytes; value i = d * q_i. */
export function specQ8_0(b: Uint8Array): { d: number; q: number[] } {
  const q: number[] = [];
  for (let i = 0; i < 32; i++) q.push(int8(b[2 + i]));
  return { d: specHalf(b[0], b[1]), q };
}

/** Q4_0 (18 bytes): half d, then 16 bytes; element i < 16 is the low nibble of byte i,
 *  element i >= 16 the high nibble of byte i - 16; value = d * (nibble - 8). */
export function specQ4_0(b: Uint8Array): { d: number; q: number[] } {
  const q: number[] = [];
  for (let i = 0; i < 32; i++) {
    const byte = b[2 + (i % 16)];
    q.push((i < 16 ? byte % 16 : Math.floor(byte / 16)) - 8);
  }
  return { d: specHalf(b[0], b[1]), q };
}

/** Q8_K (292 bytes): f32 d, 256 signed bytes, 16 little-endian int16 group sums. */
export function specQ8_K(b: Uint8Array): { d: number; q: number[]; bsums: number[] } {
  const d = new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  const q: number[] = [];
  for (let i = 0; i < 256; i++) q.push(int8(b[4 + i]));
  const bsums: number[] = [];
  for (let g = 0; g < 16; g++) {
    const u = b[260 + 2 * g] | (b[261 + 2 * g] << 8);
    bsums.push(u >= 0x8000 ? u - 0x10000 : u);
  }
  return { d, q, bsums };
}

/**
 * Q4_K (144 bytes): half d, half dmin, 12 scale bytes, 128 nibble bytes.
 * Scale bytes: bytes 0-3 low 6 bits = scales 0-3, bytes 4-7 low 6 bits = mins 0-3,
 * bytes 8-11 = scales 4-7 (low nibble) and mins 4-7 (high nibble) low 4 bits, whose top 2 bits
 * are the top 2 bits of bytes 0-3 (scales) and 4-7 (mins).
 * Nibbles: byte 32g + l holds element 64g + l (low) and element 64g + 32 + l (high).
 * value of element e in sub-block j = e / 32: d * scale_j * q_e - dmin * min_j.
 */
export function specQ4_K(b: Uint8Array): { d: number; dmin: number; scale: number[]; min: number[]; q: number[] } {
  const s = b.subarray(4, 16);
  const scale: number[] = [];
  const min: number[] = [];
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      scale.push(s[j] % 64);
      min.push(s[j + 4] % 64);
    } else {
      scale.push((s[j + 4] % 16) + 16 * Math.floor(s[j - 4] / 64));
      min.push(Math.floor(s[j + 4] / 16) + 16 * Math.floor(s[j] / 64));
    }
  }
  const q: number[] = [];
  for (let e = 0; e < 256; e++) {
    const group = Math.floor(e / 64);
    const within = e % 64;
    const byte = b[16 + 32 * group + (within % 32)];
    q.push(within < 32 ? byte % 16 : Math.floor(byte / 16));
  }
  return { d: specHalf(b[0], b[1]), dmin: specHalf(b[2], b[3]), scale, min, q };
}

/**
 * Q6_K (210 bytes): 128 bytes ql, 64 bytes qh, 16 signed scale bytes, half d.
 * Element e: half h = e / 128, r = e % 128; its low 4 bits are in ql[64h + r % 64] (low nibble
 * when r < 64, else high), its high 2 bits in qh[32h + r % 32] at bit 2 * (r / 32).
 * value = d * scale_(e / 16) * (q - 32).
 */
export function specQ6_K(b: Uint8Array): { d: number; scale: number[]; q: number[] } {
  const scale: number[] = [];
  for (let j = 0; j < 16; j++) scale.push(int8(b[192 + j]));
  const q: number[] = [];
  for (let e = 0; e < 256; e++) {
    const h = Math.floor(e / 128);
    const r = e % 128;
    const lowByte = b[64 * h + (r % 64)];
    const low = r < 64 ? lowByte % 16 : Math.floor(lowByte / 16);
    const high = Math.floor(b[128 + 32 * h + (r % 32)] / Math.pow(2, 2 * Math.floor(r / 32))) % 4;
    q.push(low + 16 * high - 32);
  }
  return { d: specHalf(b[208], b[209]), scale, q };
}
