// A layer-by-layer trace of the forward pass: the activations at each named point of each
// layer, for every position of a token sequence, so a subject can be compared with the
// reference tensor by tensor and the first one that departs named (refute trace).
//
// Points, in the order the forward pass reaches them (the reference's tracer,
// scripts/gen_trace.py, records the same names):
//   embedding                       x after the token (and position) embedding   [hidden]
//   blk.L.attn_norm                 the attention norm's output                   [hidden]
//   blk.L.q, blk.L.k, blk.L.v       the projections, before RoPE                  [heads*headDim], [kvHeads*headDim]
//   blk.L.attn_output               the attention output after its projection     [hidden]
//   blk.L.attn_residual             x after adding it                             [hidden]
//   blk.L.ffn_norm                  the MLP norm's output                         [hidden]
//   blk.L.mlp_output                the MLP's output                              [hidden]
//   blk.L.residual                  x after adding it: the layer's output         [hidden]
//   output_norm, logits             the final norm's output, the logits           [hidden], [vocab]

/** Called at each point of each position with the values there (a buffer the caller must copy). */
export type Tracer = (point: string, values: Float32Array) => void;

export const LAYER_POINTS = ["attn_norm", "q", "k", "v", "attn_output", "attn_residual", "ffn_norm", "mlp_output", "residual"] as const;

/** Every point's name for a model of `layers` layers, in forward order. */
export function tracePoints(layers: number): string[] {
  const points = ["embedding"];
  for (let l = 0; l < layers; l++) points.push(...LAYER_POINTS.map((p) => `blk.${l}.${p}`));
  return [...points, "output_norm", "logits"];
}

/** One point's values over the positions: [positions, width], row-major. */
export interface TracedTensor {
  name: string;
  width: number;
  values: Float32Array;
}

/** Collects a Tracer's calls into one tensor per point, positions stacked in order. */
export class TraceRecorder {
  private readonly rows = new Map<string, Float32Array[]>();

  readonly tracer: Tracer = (point, values) => {
    let list = this.rows.get(point);
    if (!list) this.rows.set(point, (list = []));
    list.push(values.slice());
  };

  tensors(order: string[]): TracedTensor[] {
    return order.flatMap((name) => {
      const rows = this.rows.get(name);
      if (!rows) return [];
      const width = rows[0].length;
      const values = new Float32Array(rows.length * width);
      rows.forEach((r, i) => values.set(r, i * width));
      return [{ name, width, values }];
    });
  }
}
