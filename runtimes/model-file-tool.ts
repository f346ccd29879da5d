// The primitives of a model-file tool (capability `model-files`): what a converter, importer
// and inspector can say about one subject's model, its injected fault included. They convert,
// read and report; they expect nothing. What a claim expects of them (the model-file probes:
// provenance, tokenizers across formats, layout contracts, quantization bounds) lives in
// measures/model-file/. The embedded runtime serves them with its engine
// (runtimes/embedded-model-file-tool.ts); a foreign converter could serve them from its command line.
//
// Names: a tensor of a converted model has the tool's name (the engine's are GGUF's:
// token_embd.weight, blk.0.ffn_up.weight); a checkpoint tensor has its file's name
// (transformer.h.0.mlp.c_fc.weight). Shapes are row-major, outermost first, except where
// a GGUF file's own listing says otherwise.

import type { Format, Quant } from "../core/vocabulary.ts";
import type { Generation } from "./runtime.ts";

/** A model as the tool holds it after converting it: a format at a quantization, as a subject names them. */
export interface FileForm {
  format: Format;
  quant: Quant;
}

/** A failure the tool reports as a value: its code (core/error-codes.ts for the engine's) and a message for a person. */
export interface ToolError {
  code: string;
  message: string;
}

export interface TensorInfo {
  name: string;
  shape: number[];
  dtype: string; // f32, bf16, q8_0, ...
}

/** A tensor's values dequantized to float32, row-major over `shape`. */
export interface TensorValues extends TensorInfo {
  values: Float32Array;
}

/** A tensor as a GGUF file lists it: dims innermost first (ggml's ne[]), so an [out, in] matrix is [in, out] here. */
export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: string; // ggml's type name
}

/** The source weight files of a model as it was converted. */
export interface Checkpoint {
  dir: string; // the checkpoint's directory (Hugging Face layout)
  files: string[]; // its weight files (SafeTensors, every shard), as the tool reads them
}

/** What a native file records of where it came from; the field names are the file's. */
export interface NativeProvenance {
  source_format: string;
  quantization: string;
  source_files: { path: string; sha256: string }[];
}

/** An import into the native format: the provenance of the file written, or the import's own error (a refusal); failing to write or read the file is thrown, not answered. */
export type NativeImport = { provenance: NativeProvenance; error: null } | { provenance: null; error: ToolError };

/** One tensor of two models compared as `refute diff` compares them. */
export interface TensorDifference {
  name: string;
  transposed: boolean; // one is the other's transpose
  maxAbsDiff: number | null; // after undoing a transpose; null where the two cannot be compared element by element
}

export interface ModelFileTool {
  /** The weight files the subject's model was converted from. */
  checkpoint(): Promise<Checkpoint>;
  /** Every tensor of the checkpoint as its files store it: their names, shapes and dtypes, nothing converted. */
  checkpointTensors(): Promise<TensorInfo[]>;
  checkpointTensor(name: string): Promise<TensorValues>;
  /** Every tensor of the model converted to `form`, in the tool's order. */
  tensors(form: FileForm): Promise<TensorInfo[]>;
  tensor(form: FileForm, name: string): Promise<TensorValues>;
  /** The tensors of the GGUF file the tool exports at `quant`, as that file lists them. */
  ggufTensors(quant: Quant): Promise<GgufTensorInfo[]>;
  /** The model converted to `from`, imported into a native file at `from.quant`; with `enforceProvenance`, a source that is not original weights is to be refused. */
  importNative(from: FileForm, enforceProvenance: boolean): Promise<NativeImport>;
  /** Each text's token ids under the tokenizer the `form` file carries, no special token added. */
  encode(form: FileForm, texts: string[]): Promise<number[][]>;
  /** Null when the model in `form` loads for running (layout contract, weights, tokenizer), else why not; `transposed`: a tensor handed to the loader stored [cols, rows]. */
  loadError(form: FileForm, transposed?: string): Promise<ToolError | null>;
  /** The model in `form` diffed, tensor by tensor, against itself with the tensor `transposed` stored [cols, rows]. */
  diffTransposed(form: FileForm, transposed: string): Promise<TensorDifference[]>;
  /** The warning that comparing the model in form `a` with it in form `b` side by side carries, or null. */
  mixedQuantWarning(a: FileForm, b: FileForm): Promise<string | null>;
  /** The model in `form` loaded afresh, nothing reused from an earlier load, and each prompt decoded greedily. */
  loadAndGenerate(form: FileForm, prompts: string[], maxNewTokens: number, topK: number): Promise<Generation[]>;
}
