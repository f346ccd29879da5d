// The forms (format at quantization) the model-file probes ask the tool for, named once.

import type { FileForm } from "../../runtimes/model-file-tool.ts";

export const SAFETENSORS_F32: FileForm = { format: "safetensors", quant: "f32" };
export const NATIVE_F32: FileForm = { format: "native", quant: "f32" };
export const GGUF_F32: FileForm = { format: "gguf", quant: "f32" };
