// The moved activations: with e = 0 they are the forward pass's own (engine/generate/activation.ts)
// to the last bit, and a constant moved by e changes silu(x) by e x^2 s(x) (1 - s(x)) to first
// order (s the sigmoid), the derivative of x s(b x) in b at b = 1.

import { describe, expect, it } from "vitest";
import { activationConstantMoved } from "./activation-faults.ts";
import { ACTIVATIONS } from "./activation.ts";

const xs = [-6, -1.5, -0.25, 0, 0.3, 1, 2.5, 8];

describe("activationConstantMoved", () => {
  it("is the clean activation at e = 0", () => {
    for (const name of ["silu", "gelu_new"] as const) for (const x of xs) expect(activationConstantMoved(0)(name)(x)).toBe(ACTIVATIONS[name](x));
  });

  it("moves silu by e x^2 s(x) (1 - s(x)) to first order", () => {
    const e = 1e-6;
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    for (const x of xs) {
      const moved = activationConstantMoved(e)("silu")(x) - ACTIVATIONS.silu(x);
      expect(Math.abs(moved - e * x * x * s(x) * (1 - s(x)))).toBeLessThan(1e-11);
    }
  });
});
