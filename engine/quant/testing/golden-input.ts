// Test support: the deterministic input rows behind ggml-golden.json. 48 rows of 512 values
// from a 32-bit LCG, one of eight kinds per row (signed uniform, all positive, sparse,
// constant, zero, tie-heavy halves, one outlier, tiny) at scales 2^-12..2^8, and as many
// activation rows of the next kinds.

export const GOLDEN_ROWS = 48;
export const GOLDEN_COLS = 512;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function goldenRow(kind: number, next: () => number): Float32Array {
  const scale = 2 ** (Math.floor(next() * 21) - 12);
  const x = new Float32Array(GOLDEN_COLS);
  for (let i = 0; i < GOLDEN_COLS; i++) {
    const u = next() * 2 - 1;
    switch (kind % 8) {
      case 0: x[i] = u * scale; break;
      case 1: x[i] = Math.abs(u) * scale + scale / 8; break;
      case 2: x[i] = next() < 0.7 ? 0 : u * scale; break;
      case 3: x[i] = scale / 3; break;
      case 4: x[i] = 0; break;
      case 5: x[i] = Math.round(u * 30) / 2; break;
      case 6: x[i] = i === 77 ? 64 * scale : u * scale; break;
      default: x[i] = u * 1e-20; break;
    }
  }
  return x;
}

/** weights: [GOLDEN_ROWS, GOLDEN_COLS], activations: [GOLDEN_ROWS, GOLDEN_COLS], row-major. */
export function goldenInput(): { weights: Float32Array; activations: Float32Array } {
  const next = lcg(20240607);
  const weights = new Float32Array(GOLDEN_ROWS * GOLDEN_COLS);
  const activations = new Float32Array(GOLDEN_ROWS * GOLDEN_COLS);
  for (let r = 0; r < GOLDEN_ROWS; r++) {
    weights.set(goldenRow(r, next), r * GOLDEN_COLS);
    activations.set(goldenRow(r + 3, next), r * GOLDEN_COLS);
  }
  return { weights, activations };
}
