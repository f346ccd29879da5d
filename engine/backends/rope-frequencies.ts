// The rotation RoPE applies at a position, as every backend computes it: pair i of a head
// (of headDim / 2) turns by position * invFreq[i], and cos and sin are scaled by the
// attention factor (1 but for YaRN, whose factor scales queries and keys alike). The plain
// frequencies are theta^(-2i / headDim); RoPE scaling (engine/model/rope-scaling.ts) changes
// them per pair. In float64, as the reference computes its angles.

export interface RopeFrequencies {
  invFreq: Float64Array; // [headDim / 2]
  attentionFactor: number;
  /** Tells frequency sets apart (a backend caches the table of the last one it was given). */
  key: string;
}

export function plainRopeFrequencies(headDim: number, theta: number): RopeFrequencies {
  const invFreq = new Float64Array(headDim / 2);
  for (let i = 0; i < invFreq.length; i++) invFreq[i] = Math.pow(theta, (-2 * i) / headDim);
  return { invFreq, attentionFactor: 1, key: `plain ${headDim} ${theta}` };
}

/** cos and sin of each pair's angle at `position`, interleaved [cos0, sin0, cos1, sin1, ...], times the attention factor. */
export function ropeTable(freqs: RopeFrequencies, position: number, out = new Float64Array(2 * freqs.invFreq.length)): Float64Array {
  const f = freqs.attentionFactor;
  for (let i = 0; i < freqs.invFreq.length; i++) {
    const angle = position * freqs.invFreq[i];
    out[2 * i] = Math.cos(angle) * f;
    out[2 * i + 1] = Math.sin(angle) * f;
  }
  return out;
}

// Tables already computed, per frequency set and position: every layer of every token asks for
// the table of its position (the queries' and the keys'), and a table is 2 * headDim / 2
// cosines and sines, much dearer than a look-up. Bounded: positions past this are computed.
const CACHED_POSITIONS = 1 << 16;
const tables = new WeakMap<RopeFrequencies, Float64Array[]>();

/** ropeTable(freqs, position), computed once per frequency set and position: the returned table is shared, and must not be written. */
export function cachedRopeTable(freqs: RopeFrequencies, position: number): Float64Array {
  if (!(Number.isInteger(position) && position >= 0 && position < CACHED_POSITIONS)) return ropeTable(freqs, position);
  let byPosition = tables.get(freqs);
  if (!byPosition) tables.set(freqs, (byPosition = []));
  return (byPosition[position] ??= ropeTable(freqs, position));
}
