// A fake model-file tool over a toy model held in memory, for the model-file probes' tests
// and the table of measures. Clean, it answers as a correct tool would; a probe named in
// `bugs` gets the one primitive that probe reads answered as a buggy tool would answer it.
// The toy: a GPT-2-style checkpoint (Conv1D weights stored [in, out]) of one layer, two
// SafeTensors shards and their index written as real files (their bytes are not SafeTensors:
// the probes only hash them and read the index), converted to the engine's names and
// [out, in] layout; quantized forms are the engine's own q8_0 and q4_0 round trip.
//   x: [rows, cols] row-major everywhere.

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { quantType } from "../../engine/quant/types.ts";
import type { Quant } from "../../core/vocabulary.ts";
import type { ProbeName } from "../../measures/model-file/index.ts";
import type { FileForm, GgufTensorInfo, ModelFileTool, NativeImport, TensorDifference, TensorInfo, TensorValues, ToolError } from "../../runtimes/model-file-tool.ts";
import type { Generation } from "../../runtimes/runtime.ts";
import { tempDir } from "../gates/helpers.ts";

interface ToyTensor {
  shape: number[];
  values: Float32Array;
}

/** Deterministic weights in (-1, 1), different for every seed. */
function weights(shape: number[], seed: number): ToyTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 0.731)) };
}

function transposed({ shape: [rows, cols], values }: ToyTensor): ToyTensor {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return { shape: [cols, rows], values: out };
}

// The checkpoint, as GPT-2 stores it, and the shard each tensor is in.
const CHECKPOINT = new Map<string, ToyTensor & { shard: string }>([
  ["transformer.wte.weight", { ...weights([8, 32], 1), shard: "model-00001-of-00002.safetensors" }],
  ["transformer.h.0.attn.c_proj.weight", { ...weights([32, 32], 2), shard: "model-00001-of-00002.safetensors" }],
  ["transformer.h.0.mlp.c_fc.weight", { ...weights([32, 64], 3), shard: "model-00002-of-00002.safetensors" }],
  ["transformer.h.0.mlp.c_proj.weight", { ...weights([64, 32], 4), shard: "model-00002-of-00002.safetensors" }],
]);

const raw = (name: string) => CHECKPOINT.get(`transformer.${name}`) as ToyTensor;

// The model converted: the engine's names, [out, in].
const MODEL = new Map<string, ToyTensor>([
  ["token_embd.weight", raw("wte.weight")],
  ["blk.0.attn_output.weight", transposed(raw("h.0.attn.c_proj.weight"))],
  ["blk.0.ffn_up.weight", transposed(raw("h.0.mlp.c_fc.weight"))],
  ["blk.0.ffn_down.weight", transposed(raw("h.0.mlp.c_proj.weight"))],
]);

/** The text's ids under the toy tokenizer: one per UTF-16 unit. */
export const toyEncode = (text: string) => [...text].map((c) => c.charCodeAt(0));

const isQuantized = (quant: Quant): quant is "q8_0" | "q4_0" => quant === "q8_0" || quant === "q4_0";
const info = (name: string, t: ToyTensor, dtype: string): TensorInfo => ({ name, shape: [...t.shape], dtype });

export class FakeModelFileTool implements ModelFileTool {
  private readonly dir = tempDir("refute-fake-checkpoint-");
  private loads = 0;

  constructor(private readonly bugs: ReadonlySet<ProbeName> = new Set()) {
    const shards = [...new Set([...CHECKPOINT.values()].map((t) => t.shard))];
    for (const shard of shards) writeFileSync(join(this.dir, shard), `the bytes of ${shard}`);
    const weightMap = Object.fromEntries([...CHECKPOINT].map(([name, t]) => [name, t.shard]));
    writeFileSync(join(this.dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: weightMap }));
  }

  private files(): string[] {
    return [...new Set([...CHECKPOINT.values()].map((t) => join(this.dir, t.shard)))].sort();
  }

  async checkpoint() {
    return { dir: this.dir, files: this.files() };
  }

  /** sharded-load bug: the last shard is not read. */
  async checkpointTensors(): Promise<TensorInfo[]> {
    const read = [...CHECKPOINT].filter(([, t]) => !this.bugs.has("sharded-load") || t.shard !== "model-00002-of-00002.safetensors");
    return read.map(([name, t]) => info(name, t, "f32"));
  }

  async checkpointTensor(name: string): Promise<TensorValues> {
    const t = CHECKPOINT.get(name);
    if (!t) throw new Error(`no checkpoint tensor ${name}`);
    return { ...info(name, t, "f32"), values: t.values };
  }

  /** At q8_0 and q4_0 every matrix is quantized; gguf-dims-reversed bug: the GGUF import keeps GGUF's dims. */
  async tensors(form: FileForm): Promise<TensorInfo[]> {
    const reimportBug = form.format === "gguf" && this.bugs.has("gguf-dims-reversed");
    return [...MODEL].map(([name, t]) => info(name, reimportBug ? transposed(t) : t, isQuantized(form.quant) ? form.quant : "f32"));
  }

  /** conv1d-transposed bug: attn_output (square) keeps its [in, out] storage; quant-error-bound bug: one element quantized off by a whole unit. */
  async tensor(form: FileForm, name: string): Promise<TensorValues> {
    const t = MODEL.get(name);
    if (!t) throw new Error(`no tensor ${name}`);
    let values = this.bugs.has("conv1d-transposed") && name === "blk.0.attn_output.weight" ? raw("h.0.attn.c_proj.weight").values : t.values;
    if (isQuantized(form.quant)) {
      const type = quantType(form.quant);
      values = type.dequantizeRow(type.quantizeRow(values));
      if (this.bugs.has("quant-error-bound")) values[5] += 1;
    }
    return { ...info(name, t, isQuantized(form.quant) ? form.quant : "f32"), values };
  }

  /** gguf-dims-reversed bug: dims written outermost first. */
  async ggufTensors(quant: Quant): Promise<GgufTensorInfo[]> {
    return [...MODEL].map(([name, t]) => ({ name, dims: this.bugs.has("gguf-dims-reversed") ? [...t.shape] : [...t.shape].reverse(), type: quant }));
  }

  /** provenance-enforced bug: a GGUF source is never refused; provenance-readable bug: the second shard's hash is recorded wrong. */
  async importNative(from: FileForm, enforceProvenance: boolean): Promise<NativeImport> {
    if (from.format === "gguf" && enforceProvenance && !this.bugs.has("provenance-enforced")) {
      return { provenance: null, error: { code: "PROVENANCE_REFUSED", message: "a GGUF source is not ground truth" } };
    }
    const source_files = this.files().map((path, i) => ({ path, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") + (i === 1 && this.bugs.has("provenance-readable") ? "0" : "") }));
    return { provenance: { source_format: from.format === "gguf" ? "gguf" : "safetensors", quantization: from.quant, source_files }, error: null };
  }

  /** tokenizer-formats bug: the GGUF file's tokenizer loses every space. */
  async encode(form: FileForm, texts: string[]): Promise<number[][]> {
    const lossy = form.format === "gguf" && this.bugs.has("tokenizer-formats");
    return texts.map((text) => toyEncode(lossy ? text.replaceAll(" ", "") : text));
  }

  /** The contract: a non-square matrix transposed is LAYOUT_WEIGHT_SHAPE, the embedding LAYOUT_EMBEDDING_SHAPE; load-contract bug: nothing is checked. */
  async loadError(_form: FileForm, name?: string): Promise<ToolError | null> {
    if (name === undefined || this.bugs.has("load-contract")) return null;
    const [rows, cols] = (MODEL.get(name) as ToyTensor).shape;
    if (name === "token_embd.weight") return { code: "LAYOUT_EMBEDDING_SHAPE", message: `${name}: found [${cols}, ${rows}]` };
    return rows === cols ? null : { code: "LAYOUT_WEIGHT_SHAPE", message: `${name}: found [${cols}, ${rows}]` };
  }

  /** diff-transposed bug: a square matrix transposed is not recognised, only shapes are compared. */
  async diffTransposed(_form: FileForm, name: string): Promise<TensorDifference[]> {
    const seen = !this.bugs.has("diff-transposed");
    return [...MODEL.keys()].sort().map((n) => ({ name: n, transposed: n === name && seen, maxAbsDiff: n === name && !seen ? 1.5 : 0 }));
  }

  /** mixed-quant-warning bug: never warns. */
  async mixedQuantWarning(a: FileForm, b: FileForm): Promise<string | null> {
    return a.quant === b.quant || this.bugs.has("mixed-quant-warning") ? null : `mixed quantization levels: ${a.quant} vs ${b.quant}`;
  }

  /** determinism bug: the second load and every later one decodes one token differently. */
  async loadAndGenerate(_form: FileForm, prompts: string[], maxNewTokens: number, topK: number): Promise<Generation[]> {
    const drift = this.bugs.has("determinism") && this.loads++ > 0 ? 1 : 0;
    return prompts.map((prompt) => {
      const tokens = Array.from({ length: maxNewTokens }, (_, i) => (toyEncode(prompt)[i % prompt.length] ?? 0) + (i === 3 ? drift : 0));
      return { promptTokens: toyEncode(prompt), tokens, text: "", topk: tokens.map((token) => Array.from({ length: topK }, (_, k) => ({ token: token + k, logprob: -k }))) };
    });
  }
}
