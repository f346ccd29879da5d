// Turning a model into the thing a subject names: its format (SafeTensors as loaded, the
// native .rft container, GGUF, or the round trip native -> GGUF -> native) at a quantization.

import { RefuteError } from "./errors.ts";
import type { ModelSource } from "./load.ts";
import { quantizeSource, type Quantization } from "./model/quantize.ts";
import { openSource } from "./open.ts";

export function prepareSource(model: string, format: string, quant: string): ModelSource {
  const source = openSource(model);
  const quantized = quant === "bf16" ? source : quantizeSource(source, quant as Quantization);
  if (format === "safetensors") return quantized;
  throw new RefuteError("FORMAT_UNAVAILABLE", `format ${format}: not available in this build`, { format });
}
