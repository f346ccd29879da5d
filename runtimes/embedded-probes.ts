// The embedded runtime's model-file probes (capability `model-files`): self-checks of the
// engine's converters, importers and contracts, the observations behind the F-GT, F-LAYOUT
// and quantization claims. Each probe runs the real code path (with the engine hooks of the
// injected fault, if any) and returns what it found as a list of violations: empty means the
// engine behaved as the claim predicts. Expectations come from mathematics, from the source files read
// independently, or from the oracle's tokenizer vectors. `runProbe` dispatches by name.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { prepareSource, throughGguf, throughNative } from "../engine/convert.ts";
import { isRefuteError } from "../core/errors.ts";
import { readSafeTensorsDir, safeTensorsFiles } from "../engine/formats/safetensors/read.ts";
import { readGguf } from "../engine/formats/gguf/read.ts";
import { writeGguf } from "../engine/formats/gguf/write.ts";
import { readNative } from "../engine/formats/native/read.ts";
import { writeNative } from "../engine/formats/native/write.ts";
import { diffSources, mixedQuantizationWarning } from "../engine/inspect/diff.ts";
import { REPO_ROOT, resolveModelPath, type ModelSource } from "../engine/load.ts";
import type { EngineHooks } from "../engine/hooks.ts";
import { EngineModel } from "../engine/model.ts";
import { toFloat32 } from "../engine/model/dequantize.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import { transpose2d } from "../engine/model/hf-names.ts";
import { importToNative } from "../engine/model/import.ts";
import { buildWeights } from "../engine/model/weights.ts";
import { fp16BitsToFp32, fp32ToFp16Bits } from "../engine/quant/half.ts";
import type { Tensor } from "../engine/tensor.ts";
import { tokenizerFromJson } from "../engine/tokenizer/tokenizer.ts";
import { BlockedError, type ProbeName, type ProbeResult, type SubjectSpec } from "./runtime.ts";


const ok = (checked: number, violations: string[] = []): ProbeResult => ({ checked, violations });

/** The code a call throws, or null when it returns. */
function errorCode(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (isRefuteError(e)) return e.code;
    throw e;
  }
}

// F-GT-001: an import with enforced provenance refuses a GGUF source.
export function probeProvenanceEnforced(model: string, hooks: EngineHooks): ProbeResult {
  const native = prepareSource(model, "native", "q8_0", hooks);
  const gguf = throughGguf(native, model, "q8_0", hooks);
  const code = errorCode(() => importToNative(gguf, { quantization: "q8_0", enforceProvenance: true }));
  const allowed = errorCode(() => importToNative(gguf, { quantization: "q8_0", enforceProvenance: false }));
  const violations: string[] = [];
  if (code !== "PROVENANCE_REFUSED") violations.push(`enforced GGUF import gave ${code ?? "success"}, expected PROVENANCE_REFUSED`);
  if (allowed !== null) violations.push(`unenforced GGUF import (diagnosis) failed with ${allowed}`);
  return ok(2, violations);
}

// F-GT-002: comparing two quantization levels side by side carries a warning; one level does not.
export function probeMixedQuantWarning(model: string, hooks: EngineHooks): ProbeResult {
  const q8 = prepareSource(model, "native", "q8_0", hooks);
  const q4 = prepareSource(model, "native", "q4_0", hooks);
  const violations: string[] = [];
  if (!mixedQuantizationWarning(q8, q4)) violations.push("q8_0 vs q4_0 compared without a mixed-quantization warning");
  if (mixedQuantizationWarning(q8, q8)) violations.push("q8_0 vs q8_0 warned of mixed quantization");
  return ok(2, violations);
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

// F-GT-003: the native file says it came from SafeTensors, and its hashes are the files' own.
export function probeProvenanceReadable(model: string, hooks: EngineHooks): ProbeResult {
  const source = prepareSource(model, "safetensors", "q8_0", hooks);
  const file = readNative(writeNative(importToNative(source, { quantization: "q8_0", enforceProvenance: true })));
  const violations: string[] = [];
  if (file.provenance.source_format !== "safetensors") violations.push(`provenance.source_format is ${file.provenance.source_format}, expected safetensors`);
  if (file.provenance.quantization !== "q8_0") violations.push(`provenance.quantization is ${file.provenance.quantization}, expected q8_0`);
  const expected = safeTensorsFiles(resolveModelPath(model));
  for (const path of expected) {
    const recorded = file.provenance.source_files.find((f) => f.path === path);
    if (!recorded) violations.push(`source file ${path} missing from provenance`);
    else if (recorded.sha256 !== sha256(path)) violations.push(`sha256 of ${path} recorded as ${recorded.sha256}, file is ${sha256(path)}`);
  }
  return ok(expected.length + 2, violations);
}

// F-GT-004: five independent loads and greedy runs give bit-identical tokens and log-probs.
export function probeDeterminism(model: string, format: string, quant: string, hooks: EngineHooks, prompts: string[], kernels: Kernels, runs = 5): ProbeResult {
  const fingerprints = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    const engine = new EngineModel(prepareSource(model, format, quant, hooks), kernels, hooks);
    const hash = createHash("sha256");
    for (const prompt of prompts) {
      const g = engine.generate(prompt, 32, 10);
      hash.update(JSON.stringify([g.tokens, g.topk.map((s) => s.map((e) => [e.token, e.logprob]))]));
    }
    const key = hash.digest("hex");
    fingerprints.set(key, (fingerprints.get(key) ?? 0) + 1);
  }
  return ok(runs, fingerprints.size === 1 ? [] : [`${runs} runs gave ${fingerprints.size} different outputs: ${[...fingerprints.values()].join(" + ")}`]);
}

interface TokenizerVectors {
  cases: { text: string; ids: number[] }[];
}

// F-GT-005: the SafeTensors, native and GGUF tokenizers all give the independent encoder's ids.
export function probeTokenizerFormats(model: string, hooks: EngineHooks): ProbeResult {
  const vectors = JSON.parse(readFileSync(join(REPO_ROOT, "oracle", "tokenizer", `${model}.json`), "utf8")) as TokenizerVectors;
  const st = prepareSource(model, "safetensors", "f32", hooks);
  const native = throughNative(st, "f32");
  const gguf = throughGguf(native, model, "f32", hooks);
  const tokenizers = { safetensors: st, native, gguf } as Record<string, ModelSource>;
  const violations: string[] = [];
  for (const [format, source] of Object.entries(tokenizers)) {
    const tokenizer = tokenizerFromJson(source.tokenizerJson, hooks);
    const wrong = vectors.cases.filter((c) => JSON.stringify(tokenizer.encode(c.text)) !== JSON.stringify(c.ids));
    if (wrong.length) violations.push(`${format}: ${wrong.length}/${vectors.cases.length} strings encode differently, first ${JSON.stringify(wrong[0].text)}`);
  }
  return ok(3 * vectors.cases.length, violations);
}

// F-GT-006: a sharded checkpoint loads every tensor its index names, once, and passes the contract.
export function probeShardedLoad(model: string, hooks: EngineHooks): ProbeResult {
  const dir = resolveModelPath(model);
  const index = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8")) as { weight_map: Record<string, string> };
  const raw = readSafeTensorsDir(dir);
  const violations: string[] = [];
  const names = new Set(raw.map((t) => t.name));
  for (const name of Object.keys(index.weight_map)) if (!names.has(name)) violations.push(`${name} named in the index but not loaded`);
  if (raw.length !== Object.keys(index.weight_map).length) violations.push(`${raw.length} tensors loaded, the index names ${Object.keys(index.weight_map).length}`);
  const code = errorCode(() => new EngineModel(prepareSource(model, "safetensors", "f32", hooks), cpuKernels, hooks));
  if (code) violations.push(`model does not load: ${code}`);
  return ok(raw.length + 1, violations);
}

/** The engine shape a GGUF tensor stands for (gpt2's fused attn_qkv: q, k, v rows stacked). */
function engineShapeOf(ggufName: string, source: ModelSource): number[] | null {
  const fused = /^(blk\.\d+)\.attn_qkv\.(weight|bias)$/.exec(ggufName);
  if (!fused) return source.tensors.get(ggufName)?.shape ?? null;
  const parts = ["q", "k", "v"].map((p) => source.tensors.get(`${fused[1]}.attn_${p}.${fused[2]}`)?.shape ?? [0]);
  return [parts.reduce((n, p) => n + p[0], 0), ...parts[0].slice(1)];
}

// F-LAYOUT-002: GGUF lists dims innermost first, and import restores the engine's [out, in].
export function probeGgufDimsReversed(model: string, hooks: EngineHooks): ProbeResult {
  const native = prepareSource(model, "native", "f32", hooks);
  const file = readGguf(writeGguf(ggufFromSource(native, model, "f32", hooks)));
  const violations: string[] = [];
  for (const t of file.tensors) {
    const shape = engineShapeOf(t.name, native);
    if (!shape) violations.push(`${t.name}: no engine tensor it stands for`);
    else if (t.dims.join() !== [...shape].reverse().join()) violations.push(`${t.name}: GGUF dims [${t.dims}] are not the reverse of the engine's [${shape}]`);
  }
  const back = throughGguf(native, model, "f32", hooks);
  for (const [name, t] of native.tensors) {
    const b = back.tensors.get(name);
    if (!b || b.shape.join() !== t.shape.join()) violations.push(`${name}: reimported shape [${b?.shape}] is not [${t.shape}]`);
  }
  return ok(file.tensors.length + native.tensors.size, violations);
}

/** The same tensor stored [cols, rows]: what a layout bug would hand the loader. */
const transposed = (t: Tensor): Tensor => transpose2d(t, t.name);

function withTensor(source: ModelSource, t: Tensor): Map<string, Tensor> {
  return new Map(source.tensors).set(t.name, t);
}


// F-LAYOUT-003/004/005: the load contract rejects a transposed matrix and a transposed
// embedding, each with its own error, and accepts the model as it is.
export function probeLoadContract(model: string, hooks: EngineHooks): ProbeResult {
  const source = prepareSource(model, "safetensors", "f32", hooks);
  const violations: string[] = [];
  const clean = errorCode(() => buildWeights(source.arch, source.tensors));
  if (clean) violations.push(`the model itself fails its contract: ${clean}`);
  const matrix = transposed(source.tensors.get("blk.0.ffn_up.weight") as Tensor);
  const matrixCode = errorCode(() => buildWeights(source.arch, withTensor(source, matrix)));
  if (matrixCode !== "LAYOUT_WEIGHT_SHAPE") violations.push(`ffn_up given as [in, out] gave ${matrixCode ?? "no error"}, expected LAYOUT_WEIGHT_SHAPE`);
  const embedding = transposed(source.tensors.get("token_embd.weight") as Tensor);
  const embeddingCode = errorCode(() => buildWeights(source.arch, withTensor(source, embedding)));
  if (embeddingCode !== "LAYOUT_EMBEDDING_SHAPE") violations.push(`token_embd given as [hidden, vocab] gave ${embeddingCode ?? "no error"}, expected LAYOUT_EMBEDDING_SHAPE`);
  return ok(3, violations);
}

// F-LAYOUT-006: diff detects a transposed tensor and reports no other.
export function probeDiffDetectsTranspose(model: string, hooks: EngineHooks): ProbeResult {
  const source = prepareSource(model, "safetensors", "f32", hooks);
  const flipped = { ...source, tensors: withTensor(source, transposed(source.tensors.get("blk.0.attn_output.weight") as Tensor)) };
  const diffs = diffSources(source, flipped);
  const flagged = diffs.filter((d) => d.transposed).map((d) => d.name);
  const violations: string[] = [];
  if (flagged.join() !== "blk.0.attn_output.weight") violations.push(`transposed tensors reported: [${flagged}], expected [blk.0.attn_output.weight]`);
  const nonzero = diffs.filter((d) => d.maxAbsDiff !== 0).map((d) => d.name);
  if (nonzero.length) violations.push(`tensors with a difference after undoing the transpose: [${nonzero}]`);
  return ok(diffs.length, violations);
}

// The Conv1D contract: every GPT-2 Conv1D weight ([in, out] on disk) is transposed at load.
export function probeConv1dTransposed(model: string, hooks: EngineHooks): ProbeResult {
  const dir = resolveModelPath(model);
  const raw = new Map(readSafeTensorsDir(dir).map((t) => [t.name.replace(/^transformer\./, ""), t]));
  let source: ModelSource;
  try {
    source = prepareSource(model, "safetensors", "f32", hooks);
    buildWeights(source.arch, source.tensors);
  } catch (e) {
    if (!isRefuteError(e)) throw e;
    return ok(1, [`the GPT-2 checkpoint does not load: ${e.message} [${e.code}]`]);
  }
  const violations: string[] = [];
  const pairs: [string, string][] = [];
  for (let l = 0; l < source.arch.layers; l++) {
    pairs.push([`h.${l}.attn.c_proj.weight`, `blk.${l}.attn_output.weight`], [`h.${l}.mlp.c_fc.weight`, `blk.${l}.ffn_up.weight`], [`h.${l}.mlp.c_proj.weight`, `blk.${l}.ffn_down.weight`]);
  }
  for (const [hf, canonical] of pairs) {
    const disk = raw.get(hf) as Tensor;
    const expected = toFloat32(transposed(disk));
    const found = toFloat32(source.tensors.get(canonical) as Tensor);
    if (expected.length !== found.length || expected.some((v, i) => v !== found[i])) violations.push(`${canonical} is not the transpose of ${hf}`);
  }
  return ok(pairs.length, violations);
}

/**
 * Quantization error bounds, from the block layout: Q8_0 with d = amax/127 and its fp16 dh,
 * |x - deq| <= d/2 + 2^-16 d + 127 |d - dh|; Q4_0 with d = max/-8 (max: the value of largest
 * magnitude), |x - deq| <= |d| (1 + 2^-16) + 8 |d - dh| (clamping at 7 allows a full step).
 */
function blockBound(type: "q8_0" | "q4_0", block: Float32Array): number {
  let amax = 0;
  let max = 0;
  for (const v of block) {
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  const d = type === "q8_0" ? amax / 127 : max / -8;
  const dh = fp16BitsToFp32(fp32ToFp16Bits(d));
  return type === "q8_0" ? Math.abs(d) / 2 + Math.abs(d) * 2 ** -16 + 127 * Math.abs(d - dh) : Math.abs(d) * (1 + 2 ** -16) + 8 * Math.abs(d - dh);
}

export function probeQuantBound(model: string, type: "q8_0" | "q4_0", hooks: EngineHooks): ProbeResult {
  const original = prepareSource(model, "safetensors", "f32");
  const quantized = prepareSource(model, "native", type, hooks);
  const violations: string[] = [];
  let checked = 0;
  for (const [name, q] of quantized.tensors) {
    if (q.dtype !== type) continue;
    checked++;
    const x = toFloat32(original.tensors.get(name) as Tensor);
    const y = toFloat32(q);
    let worst = 0;
    let where = -1;
    for (let b = 0; b < x.length; b += 32) {
      const bound = blockBound(type, x.subarray(b, b + 32));
      for (let i = b; i < b + 32; i++) {
        const excess = Math.abs(x[i] - y[i]) / bound;
        if (excess > worst) {
          worst = excess;
          where = i;
        }
      }
    }
    if (worst > 1) violations.push(`${name}: |x - deq| is ${worst.toFixed(3)}x its bound at element ${where}`);
  }
  return ok(checked, violations);
}


/** The probe `name` on a subject, with the hooks of its injected fault; `kernels`: the subject's backend, for the probes that generate. */
export function runProbe(subject: SubjectSpec, name: ProbeName, prompts: string[], hooks: EngineHooks, kernels: Kernels): ProbeResult {
  const { model, format, quant } = subject;
  switch (name) {
    case "provenance-enforced":
      return probeProvenanceEnforced(model, hooks);
    case "mixed-quant-warning":
      return probeMixedQuantWarning(model, hooks);
    case "provenance-readable":
      return probeProvenanceReadable(model, hooks);
    case "determinism":
      return probeDeterminism(model, format, quant, hooks, prompts, kernels);
    case "tokenizer-formats":
      return probeTokenizerFormats(model, hooks);
    case "sharded-load":
      return probeShardedLoad(model, hooks);
    case "gguf-dims-reversed":
      return probeGgufDimsReversed(model, hooks);
    case "load-contract":
      return probeLoadContract(model, hooks);
    case "diff-transposed":
      return probeDiffDetectsTranspose(model, hooks);
    case "conv1d-transposed":
      return probeConv1dTransposed(model, hooks);
    case "quant-error-bound":
      if (quant !== "q8_0" && quant !== "q4_0") throw new BlockedError(`probe quant-error-bound: the block bounds are those of q8_0 and q4_0, not ${quant}`);
      return probeQuantBound(model, quant, hooks);
  }
}
