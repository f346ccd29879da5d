// ggml's make_qkx2_quants: fit x[0..n) ~ scale * L - min with L in [0, nmax] (an asymmetric,
// "min-offset" quantization of one sub-block), trying nstep+1 candidate scales around
// nmax / (max - min) and refitting scale and min by weighted least squares for each; keeps the
// candidate with the smallest weighted error. Every float operation is rounded to binary32 in
// the C source's order (see ggml-rounding.ts), so the chosen L, scale and min are ggml's.

import { nearestInt } from "./ggml-rounding.ts";

const f = Math.fround;

export interface Qkx2Fit {
  scale: number;
  /** the subtracted offset, >= 0 (ggml's *the_min = -min) */
  min: number;
}

/**
 * x, weights: [n] sub-block values and their weights. Writes the levels into L[0..n) (laux is
 * scratch of the same length) and returns the fitted scale and min.
 */
export function makeQkx2Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  weights: Float32Array,
  L: Uint8Array,
  laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
): Qkx2Fit {
  let min = x[0];
  let max = x[0];
  let sumW = weights[0];
  let sumX = f(sumW * x[0]);
  for (let i = 1; i < n; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const w = weights[i];
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * x[i]));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, 0, n);
    return { scale: 0, min: -min };
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = nearestInt(f(iscale * f(x[i] - min)));
    L[i] = Math.max(0, Math.min(nmax, l));
    let diff = f(f(f(scale * L[i]) + min) - x[i]);
    diff = useMad ? Math.abs(diff) : f(diff * diff);
    bestError = f(bestError + f(weights[i] * diff));
  }
  if (nstep < 1) return { scale, min: -min };
  for (let is = 0; is <= nstep; is++) {
    // min is the best fit so far, so later candidates are measured from it (as in ggml)
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, nearestInt(f(iscale * f(x[i] - min)))));
      laux[i] = l;
      const wl = f(weights[i] * l);
      sumL = f(sumL + wl);
      sumL2 = f(sumL2 + f(wl * l));
      sumXL = f(sumXL + f(wl * x[i]));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = f(f(f(thisScale * laux[i]) + thisMin) - x[i]);
        diff = useMad ? Math.abs(diff) : f(diff * diff);
        curError = f(curError + f(weights[i] * diff));
      }
      if (curError < bestError) {
        L.set(laux.subarray(0, n));
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return { scale, min: -min };
}
