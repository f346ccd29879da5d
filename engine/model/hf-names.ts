// Hugging Face tensor names -> canonical names, by the family's tensor table (families/):
// renames, Conv1D weights ([in, out] on disk) transposed to the engine's [out, in], and fused
// projections (GPT-2's c_attn, [hidden, 3*hidden]) split into q, k, v.

import { RefuteError } from "../../core/errors.ts";
import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { float32Bytes, type Tensor } from "../tensor.ts";
import { toFloat32 } from "./dequantize.ts";
import type { Architecture } from "./architecture.ts";
import type { HfTensorNames, LayerTensor } from "./families/family.ts";
import { FAMILY_SPECS } from "./families/index.ts";
import { OUTPUT } from "./names.ts";

/** The hook the Hugging Face import reads. */
export type ImportHooks = Pick<EngineHooks, "skipConv1dTranspose">;

function renamed(t: Tensor, name: string): Tensor {
  return { ...t, name };
}

function unknownTensor(name: string): never {
  throw new RefuteError("HF_UNKNOWN_TENSOR", `tensor ${name} is not a known weight of this architecture`, { tensor: name });
}

export function transpose2d(t: Tensor, name: string): Tensor {
  const [rows, cols] = t.shape;
  const src = toFloat32(t);
  const dst = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  return { name, dtype: "f32", shape: [cols, rows], data: float32Bytes(dst) };
}

/** A fused tensor ([rows, cols] weight or [rows] bias) split by rows into names.length equal parts, as float32. */
function splitRows(fused: Tensor, names: readonly string[]): Tensor[] {
  const values = toFloat32(fused);
  const [rows, cols = 1] = fused.shape;
  const n = rows / names.length;
  return names.map((name, i) => ({
    name,
    dtype: "f32",
    shape: fused.shape.length === 2 ? [n, cols] : [n],
    data: float32Bytes(values.slice(i * n * cols, (i + 1) * n * cols)),
  }));
}

/** The canonical tensors one layer tensor becomes. */
function layerTensors(t: Tensor, layer: string, target: LayerTensor, hooks: ImportHooks): Tensor[] {
  const transpose = target.conv1d === true && !hooks.skipConv1dTranspose;
  if (typeof target.to === "string") {
    const canonical = `blk.${layer}.${target.to}`;
    return [transpose ? transpose2d(t, canonical) : renamed(t, canonical)];
  }
  return splitRows(transpose ? transpose2d(t, t.name) : t, target.to.map((to) => `blk.${layer}.${to}`));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function mapTensors(tensors: Tensor[], names: HfTensorNames, hooks: ImportHooks): Tensor[] {
  const layerName = new RegExp(`^${escapeRegex(names.layerPrefix)}(\\d+)\\.(.+)$`);
  const out: Tensor[] = [];
  for (const t of tensors) {
    const name = names.prefix && t.name.startsWith(names.prefix) ? t.name.slice(names.prefix.length) : t.name;
    if (names.ignored.some((suffix) => name.endsWith(`.${suffix}`))) continue;
    const global = names.global[name];
    if (global) {
      out.push(renamed(t, global));
      continue;
    }
    const m = layerName.exec(name);
    const target = m && names.layer[m[2]];
    if (!m || !target) unknownTensor(t.name);
    out.push(...layerTensors(t, m[1], target, hooks));
  }
  return out;
}

/** Canonical tensors from a Hugging Face checkpoint's tensors. A tied head saved anyway is dropped. */
export function canonicalFromHf(arch: Architecture, tensors: Tensor[], hooks: ImportHooks = NO_HOOKS): Map<string, Tensor> {
  const byName = new Map<string, Tensor>();
  for (const t of mapTensors(tensors, FAMILY_SPECS[arch.family].tensors, hooks)) byName.set(t.name, t);
  if (arch.tiedEmbeddings) byName.delete(OUTPUT);
  return byName;
}
