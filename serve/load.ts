// The model refute serve holds, and what it is: quantized as the native format does when a
// quant is given, else run as loaded; its identity (format, dominant weight type, the files'
// sha256) is what /v1/models reports, so a client can check it talks to the subject it names.

import { prepareSource } from "../engine/convert.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import type { ModelSource } from "../engine/load.ts";
import { type EngineOptions, EngineModel } from "../engine/model.ts";
import { sha256File } from "../engine/model/native-convert.ts";
import { loadOptionsFor, openSource } from "../engine/open.ts";
import type { ServedIdentity } from "../runtimes/openai.ts";

export function loadServedModel(model: string, quant?: string, kernels?: Kernels, options: EngineOptions = {}): { model: EngineModel; identity: ServedIdentity } {
  const source = quant ? prepareSource(model, "native", quant) : openSource(model, loadOptionsFor(kernels));
  const files = source.files.map((f) => ({ path: f.path, sha256: sha256File(f.path) }));
  return { model: new EngineModel(source, kernels, undefined, options), identity: { format: source.format, quant: quant ?? dominantWeightType(source), files } };
}

/** The type most of a source's weight matrices have (norms and biases are f32 in every mix). */
function dominantWeightType(source: ModelSource): string {
  const counts = new Map<string, number>();
  for (const t of source.tensors.values()) if (t.shape.length === 2) counts.set(t.dtype, (counts.get(t.dtype) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "f32";
}
