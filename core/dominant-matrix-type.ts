// What a model is as a subject, by its weights: the type most of its matrices (2-D tensors)
// have. Norms and biases are f32 in every mix, and a Q4_0 file's output matrix may be Q6_K, so
// neither the first tensor nor the output's type says it. One count for a GGUF's header
// (runtimes/gguf-file-summary.ts) and for a loaded source of any format (serve/load.ts).

/** The type most of the 2-D tensors have, the first seen on a tie; null where there is none (a vocabulary file). */
export function dominantMatrixTypeOf(tensors: Iterable<{ rank: number; type: string }>): string | null {
  const counts = new Map<string, number>();
  for (const t of tensors) if (t.rank === 2) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  let best: string | null = null;
  for (const [type, n] of counts) if (best === null || n > (counts.get(best) as number)) best = type;
  return best;
}
