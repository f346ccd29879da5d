// The two integer roundings ggml's quantizers use, reproduced bit for bit on binary32 inputs.
//
// ggml does its arithmetic in float (binary32). JavaScript computes in binary64; for +, -, *,
// / and sqrt of two binary32 values, rounding the binary64 result once with Math.fround gives
// the correctly rounded binary32 result (53 >= 2*24 + 2), so `fround(a op b)` is C's `a op b`
// on floats. The quantizers in this folder therefore wrap every float operation in fround, in
// the order the C source evaluates it (no FMA contraction: ISO C semantics).

const f32Scratch = new Float32Array(1);
const i32Scratch = new Int32Array(f32Scratch.buffer);

/**
 * ggml's nearest_int: add 1.5*2^23 in float and read the low mantissa bits. For |x| < 2^22 this
 * is round-to-nearest, ties to even; outside that range (ggml only asserts in debug builds) it
 * returns what the release build returns, including for NaN and inf.
 */
export function nearestInt(x: number): number {
  if (x > -4194304 && x < 4194304) {
    // in range the float sum x + 1.5*2^23 has an ulp of 1: round half to even, done directly
    const r = Math.round(x);
    return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
  }
  f32Scratch[0] = x + 12582912;
  return (i32Scratch[0] & 0x007fffff) - 0x00400000;
}

/** C's roundf on a float: half away from zero. Exact for every binary32 input. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** C's conversion of an int to int8_t (keep the low 8 bits, signed). */
export function toInt8(v: number): number {
  return (v << 24) >> 24;
}
