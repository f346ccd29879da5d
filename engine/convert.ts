// Turning a model into the thing a subject names: its format (SafeTensors as loaded, the
// native .rft container, GGUF, or the round trip native -> GGUF -> native) at a quantization.
// Conversions run in memory through the real writers and readers, byte for byte as a file
// on disk would be. An injected fault enters at the stage where such a bug would live.

import { RefuteError } from "../core/errors.ts";
import type { Fault } from "../core/faults.ts";
import { readGguf } from "./formats/gguf/read.ts";
import { writeGguf } from "./formats/gguf/write.ts";
import { readNative } from "./formats/native/read.ts";
import { writeNative } from "./formats/native/write.ts";
import type { ModelSource } from "./load.ts";
import { ggufFromSource } from "./model/gguf-export.ts";
import { sourceFromGguf } from "./model/gguf-import.ts";
import { nativeFromSource, sourceFromNative } from "./model/native-convert.ts";
import { FILE_QUANTS, isOneOf } from "../core/vocabulary.ts";
import { quantizeSource } from "./model/quantize.ts";
import { applyLoadFault, applyQuantFault } from "./model/source-faults.ts";
import { openSource } from "./open.ts";

export const FORMATS = ["safetensors", "native", "gguf", "roundtrip"] as const;
export type Format = (typeof FORMATS)[number];

// A fixed time keeps in-memory conversions byte-identical between runs.
const IN_MEMORY_TIME = "1970-01-01T00:00:00.000Z";

export function throughNative(source: ModelSource, quantization: string): ModelSource {
  const bytes = writeNative(nativeFromSource(source, { quantization, createdAt: IN_MEMORY_TIME }));
  return sourceFromNative(readNative(bytes), source.files);
}

export function throughGguf(source: ModelSource, name: string, quantization: string, fault: Fault | null = null): ModelSource {
  const bytes = writeGguf(ggufFromSource(source, name, quantization, { skipQkPermutation: fault === "qk-permutation-skipped" }));
  return sourceFromGguf(readGguf(bytes), source.files, { misalignBy: fault === "gguf-alignment-off" ? 16 : 0 });
}

function quantized(source: ModelSource, quant: string): ModelSource {
  if (quant === "bf16") return source;
  if (!isOneOf(FILE_QUANTS, quant)) {
    throw new RefuteError("UNKNOWN_QUANT", `quantization ${JSON.stringify(quant)} is not one of bf16, ${FILE_QUANTS.join(", ")}`, { found: quant });
  }
  return quantizeSource(source, quant);
}

export function prepareSource(model: string, format: string, quant: string, fault: Fault | null = null): ModelSource {
  const loaded = applyLoadFault(openSource(model, { skipConv1dTranspose: fault === "conv1d-not-transposed" }), fault);
  const source = applyQuantFault(quantized(loaded, quant), fault);
  switch (format) {
    case "safetensors":
      return source;
    case "native":
      return throughNative(source, quant);
    case "gguf":
      return throughGguf(throughNative(source, quant), model, quant, fault);
    case "roundtrip":
      return throughNative(throughGguf(throughNative(source, quant), model, quant, fault), quant);
    default:
      throw new RefuteError("UNKNOWN_FORMAT", `format ${JSON.stringify(format)} is not one of ${FORMATS.join(", ")}`, { found: format });
  }
}
