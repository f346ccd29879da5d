// The engine's canonical tensor names (llama.cpp's GGUF role names, with q/k/v always
// separate). Every importer maps its source names onto these; everything after loading
// speaks only these.

export const TOKEN_EMBEDDING = "token_embd.weight";
export const POSITION_EMBEDDING = "position_embd.weight";
export const OUTPUT_NORM = "output_norm";
export const OUTPUT = "output.weight";

export const LAYER_ROLES = ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"] as const;
export type LayerRole = (typeof LAYER_ROLES)[number];

export function layerTensor(layer: number, role: LayerRole, part: "weight" | "bias"): string {
  return `blk.${layer}.${role}.${part}`;
}
