// Faulty MLP activations for the teeth catalogue: a port that gets one constant of the
// activation slightly wrong (a sigmoid's slope, GELU's sqrt(2/pi) written to a few digits).
// Selected only through engine hooks (EngineHooks.activation), so the clean forward pass
// never consults them.

import type { Activation } from "../model/architecture.ts";

/**
 * The activations with their constant moved by a factor 1 + e: silu as x sigmoid((1 + e) x),
 * gelu_new as 0.5 x (1 + tanh((1 + e) sqrt(2/pi) (x + 0.044715 x^3))).
 */
export function activationConstantMoved(e: number): (name: Activation) => (x: number) => number {
  const slope = 1 + e;
  const geluScale = slope * Math.sqrt(2 / Math.PI);
  const moved: Record<Activation, (x: number) => number> = {
    silu: (x) => x / (1 + Math.exp(-slope * x)),
    gelu_new: (x) => 0.5 * x * (1 + Math.tanh(geluScale * (x + 0.044715 * x * x * x))),
  };
  return (name) => moved[name];
}
