// The model refute serve holds, and what it is: quantized as the native format does when a
// quant is given, else run as loaded; its identity (format, dominant weight type, the files'
// sha256) is what /v1/models reports, so a client can check it talks to the subject it names.

import { dominantMatrixTypeOf } from "../core/dominant-matrix-type.ts";
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

/** The type most of a source's weight matrices have; f32 for a source with none. */
function dominantWeightType(source: ModelSource): string {
  return dominantMatrixTypeOf([...source.tensors.values()].map((t) => ({ rank: t.shape.length, type: t.dtype }))) ?? "f32";
}
