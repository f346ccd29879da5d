// The MLP activations by name (Architecture.activation), scalar and in float64 as the
// forward pass has always computed them. Not here: the fused SwiGLU kernels of the
// backends, which compute silu(gate) * up themselves.

import type { Activation } from "../model/architecture.ts";

/** gelu_new (GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function geluNew(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** silu (LLaMA, Qwen2): x sigmoid(x). */
function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

export const ACTIVATIONS: Readonly<Record<Activation, (x: number) => number>> = {
  silu,
  gelu_new: geluNew,
};
