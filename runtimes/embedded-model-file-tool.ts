// The embedded engine as a model-file tool (runtimes/model-file-tool.ts): its converters,
// importers, loader and diff on one subject's model, each entered with the hooks of the
// subject's injected fault, so a fault in a converter shows in what these primitives report.
// They report; the probes that judge them are in measures/model-file/.

import { isRefuteError } from "../core/errors.ts";
import { FILE_QUANTS, isOneOf, type Quant } from "../core/vocabulary.ts";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { prepareSource } from "../engine/convert.ts";
import { readGguf } from "../engine/formats/gguf/read.ts";
import { writeGguf } from "../engine/formats/gguf/write.ts";
import { readNative } from "../engine/formats/native/read.ts";
import { writeNative, type NativeWriteInput } from "../engine/formats/native/write.ts";
import { readSafeTensorsDir, safeTensorsFiles } from "../engine/formats/safetensors/read.ts";
import type { EngineHooks } from "../engine/hooks.ts";
import { diffSources, mixedQuantizationWarning } from "../engine/inspect/diff.ts";
import { resolveModelPath, type ModelSource } from "../engine/load.ts";
import { EngineModel } from "../engine/model.ts";
import { toFloat32 } from "../engine/model/dequantize.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import { transpose2d } from "../engine/model/hf-names.ts";
import { importToNative } from "../engine/model/import.ts";
import type { Tensor } from "../engine/tensor.ts";
import { tokenizerFromJson } from "../engine/tokenizer/tokenizer.ts";
import type { Checkpoint, FileForm, GgufTensorInfo, ModelFileTool, NativeImport, TensorDifference, TensorInfo, TensorValues, ToolError } from "./model-file-tool.ts";
import { BlockedError, type Generation } from "./runtime.ts";

/** A RefuteError as the tool's answer; anything else is no answer from the tool and is thrown on. */
function toolError(e: unknown): ToolError {
  if (isRefuteError(e)) return { code: e.code, message: e.message };
  throw e;
}

/** Null when `fn` returns, else the tool's error. */
function errorOf(fn: () => unknown): ToolError | null {
  try {
    fn();
    return null;
  } catch (e) {
    return toolError(e);
  }
}

const infoOf = (name: string, t: Tensor): TensorInfo => ({ name, shape: [...t.shape], dtype: t.dtype });

function tensorIn(tensors: ReadonlyMap<string, Tensor>, name: string, where: string): Tensor {
  const t = tensors.get(name);
  if (!t) throw new BlockedError(`${where} has no tensor ${name}`);
  return t;
}

/** The source's tensors with `name` stored [cols, rows]: what a layout bug would hand the loader. */
function withTransposed(source: ModelSource, name: string): Map<string, Tensor> {
  return new Map(source.tensors).set(name, transpose2d(tensorIn(source.tensors, name, `the ${source.format} model`), name));
}

export class EngineModelFileTool implements ModelFileTool {
  // One conversion per form for this object's life (one measure's observation), so a probe that reads many tensors converts once.
  private readonly sources = new Map<string, ModelSource>();
  private checkpointRead: Tensor[] | null = null;

  constructor(
    private readonly model: string,
    private readonly hooks: EngineHooks,
    private readonly kernels: Kernels, // the subject's backend, for the generations
  ) {}

  private source(form: FileForm): ModelSource {
    const key = `${form.format}/${form.quant}`;
    let source = this.sources.get(key);
    if (!source) {
      source = prepareSource(this.model, form.format, form.quant, this.hooks);
      this.sources.set(key, source);
    }
    return source;
  }

  /** Every tensor the checkpoint's files hold, as read (a name twice would be there twice), read once. */
  private readCheckpoint(): Tensor[] {
    this.checkpointRead ??= readSafeTensorsDir(resolveModelPath(this.model));
    return this.checkpointRead;
  }

  async checkpoint(): Promise<Checkpoint> {
    const dir = resolveModelPath(this.model);
    return { dir, files: safeTensorsFiles(dir) };
  }

  async checkpointTensors(): Promise<TensorInfo[]> {
    return this.readCheckpoint().map((t) => infoOf(t.name, t));
  }

  async checkpointTensor(name: string): Promise<TensorValues> {
    const t = this.readCheckpoint().find((c) => c.name === name);
    if (!t) throw new BlockedError(`the checkpoint of ${this.model} has no tensor ${name}`);
    return { ...infoOf(name, t), values: toFloat32(t) };
  }

  async tensors(form: FileForm): Promise<TensorInfo[]> {
    return [...this.source(form).tensors].map(([name, t]) => infoOf(name, t));
  }

  async tensor(form: FileForm, name: string): Promise<TensorValues> {
    const t = tensorIn(this.source(form).tensors, name, `${this.model} ${form.format} ${form.quant}`);
    return { ...infoOf(name, t), values: toFloat32(t) };
  }

  async ggufTensors(quant: Quant): Promise<GgufTensorInfo[]> {
    const file = readGguf(writeGguf(ggufFromSource(this.source({ format: "native", quant }), this.model, quant, this.hooks)));
    return file.tensors.map((t) => ({ name: t.name, dims: [...t.dims], type: t.typeName }));
  }

  async importNative(from: FileForm, enforceProvenance: boolean): Promise<NativeImport> {
    const quantization = from.quant;
    if (!isOneOf(FILE_QUANTS, quantization)) throw new BlockedError(`the engine writes native files at ${FILE_QUANTS.join(", ")}, not ${quantization}`);
    const source = this.source(from);
    let imported: NativeWriteInput;
    try {
      imported = importToNative(source, { quantization, enforceProvenance });
    } catch (e) {
      return { provenance: null, error: toolError(e) };
    }
    // Writing and reading back the file are not the import's decision: their failures are thrown.
    const { source_format, quantization: recorded, source_files } = readNative(writeNative(imported)).provenance;
    return { provenance: { source_format, quantization: recorded, source_files: source_files.map((f) => ({ path: f.path, sha256: f.sha256 })) }, error: null };
  }

  async encode(form: FileForm, texts: string[]): Promise<number[][]> {
    const tokenizer = tokenizerFromJson(this.source(form).tokenizerJson, this.hooks);
    return texts.map((text) => tokenizer.encode(text));
  }

  /** Built for the CPU: the contract and the weights' arrangement are the same on every backend. */
  async loadError(form: FileForm, transposed?: string): Promise<ToolError | null> {
    return errorOf(() => {
      const source = this.source(form);
      new EngineModel(transposed === undefined ? source : { ...source, tensors: withTransposed(source, transposed) }, cpuKernels, this.hooks);
    });
  }

  async diffTransposed(form: FileForm, transposed: string): Promise<TensorDifference[]> {
    const source = this.source(form);
    return diffSources(source, { ...source, tensors: withTransposed(source, transposed) }).map((d) => ({ name: d.name, transposed: d.transposed, maxAbsDiff: d.maxAbsDiff }));
  }

  async mixedQuantWarning(a: FileForm, b: FileForm): Promise<string | null> {
    return mixedQuantizationWarning(this.source(a), this.source(b));
  }

  async loadAndGenerate(form: FileForm, prompts: string[], maxNewTokens: number, topK: number): Promise<Generation[]> {
    const engine = new EngineModel(prepareSource(this.model, form.format, form.quant, this.hooks), this.kernels, this.hooks);
    return prompts.map((prompt) => {
      const g = engine.generate(prompt, maxNewTokens, topK);
      return { promptTokens: g.promptTokens, tokens: g.tokens, text: g.text, topk: g.topk };
    });
  }
}
