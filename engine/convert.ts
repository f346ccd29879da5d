// Turning a model into the thing a subject names: its format (SafeTensors as loaded, the
// native .rft container, GGUF, or the round trip native -> GGUF -> native) at a quantization.
// Conversions run in memory through the real writers and readers, byte for byte as a file
// on disk would be. A hook (engine/hooks.ts) enters at the stage where its bug would live.

import { RefuteError } from "../core/errors.ts";
import { NO_HOOKS, type EngineHooks } from "./hooks.ts";
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
import { openSource } from "./open.ts";

export const FORMATS = ["safetensors", "native", "gguf", "roundtrip"] as const;
export type Format = (typeof FORMATS)[number];

// A fixed time keeps in-memory conversions byte-identical between runs.
const IN_MEMORY_TIME = "1970-01-01T00:00:00.000Z";

export function throughNative(source: ModelSource, quantization: string): ModelSource {
  const bytes = writeNative(nativeFromSource(source, { quantization, createdAt: IN_MEMORY_TIME }));
  return sourceFromNative(readNative(bytes), source.files);
}

/** Through the GGUF exporter and importer; hooks: skipQkPermutation (export), ggufMisalignBy (import). */
export function throughGguf(source: ModelSource, name: string, quantization: string, hooks: EngineHooks = NO_HOOKS): ModelSource {
  const bytes = writeGguf(ggufFromSource(source, name, quantization, hooks));
  return sourceFromGguf(readGguf(bytes), source.files, hooks);
}

function quantized(source: ModelSource, quant: string): ModelSource {
  if (quant === "bf16") return source;
  if (!isOneOf(FILE_QUANTS, quant)) {
    throw new RefuteError("UNKNOWN_QUANT", `quantization ${JSON.stringify(quant)} is not one of bf16, ${FILE_QUANTS.join(", ")}`, { found: quant });
  }
  return quantizeSource(source, quant);
}

/** hooks: skipConv1dTranspose and loadedSource (loading), quantizedSource (quantizing), and throughGguf's. */
export function prepareSource(model: string, format: string, quant: string, hooks: EngineHooks = NO_HOOKS): ModelSource {
  // a getter: the importer reads the hook only for a family with Conv1D weights (GPT-2), where it can act
  const opened = openSource(model, {
    get skipConv1dTranspose() {
      return hooks.skipConv1dTranspose;
    },
  });
  const loaded = hooks.loadedSource ? hooks.loadedSource(opened) : opened;
  const atQuant = quantized(loaded, quant);
  const source = hooks.quantizedSource ? hooks.quantizedSource(atQuant) : atQuant;
  switch (format) {
    case "safetensors":
      return source;
    case "native":
      return throughNative(source, quant);
    case "gguf":
      return throughGguf(throughNative(source, quant), model, quant, hooks);
    case "roundtrip":
      return throughNative(throughGguf(throughNative(source, quant), model, quant, hooks), quant);
    default:
      throw new RefuteError("UNKNOWN_FORMAT", `format ${JSON.stringify(format)} is not one of ${FORMATS.join(", ")}`, { found: format });
  }
}
