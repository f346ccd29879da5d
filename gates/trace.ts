// Where a subject first departs from the reference, tensor by tensor: the subject's trace
// (Runtime.trace: the activations at every point of every layer, engine/generate/trace.ts)
// against the PyTorch reference's trace of the same tokens (scripts/gen_trace.py, under the
// oracle), in forward order. A tensor departs when its largest error, relative to its largest
// reference magnitude, exceeds the bound float32 rounding allows at the model's full depth
// (TRACE_BOUND, derived in ADR-006's terms): the first such tensor is where to look.

import type { TracedTensor } from "../engine/generate/trace.ts";

/**
 * sqrt(R) sqrt(n) u at the zoo's full depth (R = 25 reductions of n = 256 terms, u = 2^-24)
 * is 4.8e-6 of a tensor's magnitude; six times that leaves room for the transcendental
 * functions (exp, tanh, rsqrt) whose implementations differ between the two sides.
 */
export const TRACE_BOUND = 3e-5;

export interface TensorError {
  name: string;
  relative: number; // max |subject - reference| / max |reference|
  position: number; // where the largest error is
  element: number;
  subject: number;
  reference: number;
}

export interface TraceComparison {
  tensors: TensorError[]; // in forward order, every point both traces have
  first: TensorError | null; // the first over the bound
  bound: number;
  missing: string[]; // points of the reference the subject did not trace
}

function errorOf(subject: TracedTensor, reference: TracedTensor): TensorError {
  if (subject.values.length !== reference.values.length || subject.width !== reference.width) {
    return { name: reference.name, relative: Infinity, position: 0, element: 0, subject: NaN, reference: NaN };
  }
  let scale = 0;
  for (const v of reference.values) scale = Math.max(scale, Math.abs(v));
  let worst = -1;
  let at = 0;
  for (let i = 0; i < reference.values.length; i++) {
    const e = Math.abs(subject.values[i] - reference.values[i]);
    if (!(e <= worst)) {
      worst = Number.isNaN(e) ? Infinity : e;
      at = i;
    }
  }
  return { name: reference.name, relative: scale > 0 ? worst / scale : worst, position: Math.floor(at / reference.width), element: at % reference.width, subject: subject.values[at], reference: reference.values[at] };
}

export function compareTraces(subject: TracedTensor[], reference: TracedTensor[], bound = TRACE_BOUND): TraceComparison {
  const mine = new Map(subject.map((t) => [t.name, t]));
  const tensors: TensorError[] = [];
  const missing: string[] = [];
  for (const ref of reference) {
    const t = mine.get(ref.name);
    if (t) tensors.push(errorOf(t, ref));
    else missing.push(ref.name);
  }
  return { tensors, first: tensors.find((e) => e.relative > bound) ?? null, bound, missing };
}

/** "blk.0.attn_output at position 3, element 17: relative error 1.0e-4 > 3.0e-5 (subject 0.1234, reference 0.1235)" */
export function describeTensorError(e: TensorError, bound: number): string {
  const shapeMismatch = !Number.isFinite(e.relative) && Number.isNaN(e.subject);
  if (shapeMismatch) return `${e.name}: the subject's tensor has another shape than the reference's`;
  return `${e.name} at position ${e.position}, element ${e.element}: relative error ${e.relative.toExponential(2)} ${e.relative > bound ? ">" : "<="} ${bound.toExponential(1)} (subject ${e.subject.toPrecision(7)}, reference ${e.reference.toPrecision(7)})`;
}
