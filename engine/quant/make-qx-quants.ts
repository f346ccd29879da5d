// ggml's make_qx_quants with rmse_type 1 and no importance weights (the form
// quantize_row_q6_K_ref uses): fit x[0..n) ~ scale * (L - nmax) with L - nmax in
// [-nmax, nmax-1], weighting each element by x^2; tries 18 candidate scales around -nmax / max
// (max = the value of largest magnitude) and keeps the best least-squares fit. Every float
// operation is rounded to binary32 in the C source's order (see ggml-rounding.ts).

import { nearestInt } from "./ggml-rounding.ts";

const f = Math.fround;
const GROUP_MAX_EPS = f(1e-15);

/** x: [n]. Writes L[0..n) in [0, 2*nmax) and returns the scale. */
export function makeQxQuants(n: number, nmax: number, x: Float32Array, L: Uint8Array): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  const clamp = (l: number): number => Math.max(-nmax, Math.min(nmax - 1, l));
  let iscale = f(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(f(iscale * x[i])));
    L[i] = l + nmax;
    const w = f(x[i] * x[i]);
    sumlx = f(sumlx + f(f(w * x[i]) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  let scale = suml2 !== 0 ? f(sumlx / suml2) : 0;
  let best = f(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(f(0.1) * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(f(iscale * x[i])));
      const w = f(x[i] * x[i]);
      sumlx = f(sumlx + f(f(w * x[i]) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    if (suml2 > 0 && f(sumlx * sumlx) > f(best * suml2)) {
      for (let i = 0; i < n; i++) L[i] = nmax + clamp(nearestInt(f(iscale * x[i])));
      scale = f(sumlx / suml2);
      best = f(scale * sumlx);
    }
  }
  return scale;
}
