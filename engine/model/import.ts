// Import into the native container, with the provenance rule of seed gate F-GT-001: only
// original weights are ground truth, so with enforcement a GGUF source is refused; without it
// the import is allowed for diagnosis and says so in its provenance. A source that breaks the
// contract every load enforces (engine/contract-gate.ts: NaN weights, a tokenizer the embedding
// cannot serve, ...) is refused at every quantization, f32 included, unless skipContract.

import { RefuteError } from "../../core/errors.ts";
import { enforceContract } from "../contract-gate.ts";
import type { NativeWriteInput } from "../formats/native/write.ts";
import type { ModelSource } from "../load.ts";
import { nativeFromSource } from "./native-convert.ts";
import { quantizeSource, type Quantization } from "./quantize.ts";

export interface NativeImportOptions {
  quantization: Quantization;
  enforceProvenance: boolean;
  createdAt?: string;
  skipContract?: boolean;
}

export function importToNative(source: ModelSource, options: NativeImportOptions): NativeWriteInput {
  if (options.enforceProvenance && source.format === "gguf") {
    throw new RefuteError("PROVENANCE_REFUSED", `${source.files[0]?.path ?? "source"}: a GGUF source is not ground truth; import the original SafeTensors (F-GT-001), or import without enforcement for diagnosis`, {
      file: source.files[0]?.path,
    });
  }
  if (!options.skipContract) enforceContract(source);
  const input = nativeFromSource(quantizeSource(source, options.quantization), { quantization: options.quantization, createdAt: options.createdAt });
  input.provenance.enforced = options.enforceProvenance;
  if (source.format === "gguf") input.provenance.purpose = "diagnosis: imported from GGUF, not from original weights";
  return input;
}
