// mulberry32: a small, fast, seedable 32-bit generator; the same seed gives the same draws on
// every platform (synthetic weights, hostile mutants, refute serve's seeded sampling).

/** Uniform draws in [0, 1) from `seed`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
