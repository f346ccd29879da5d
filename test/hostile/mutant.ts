// A zoo model copied to a temporary directory and changed there: its config.json, its
// tokenizer.json or its tensors, as a hostile or broken checkpoint would have them.

import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSafeTensorsFile } from "../../engine/formats/safetensors/read.ts";
import { writeSafeTensorsBytes } from "../../engine/formats/safetensors/write.ts";
import { toFloat32 } from "../../engine/model/dequantize.ts";
import type { Tensor } from "../../engine/tensor.ts";
import { tempDir } from "../gates/helpers.ts";

type Json = Record<string, unknown>;

export interface Mutation {
  config?: (config: Json) => void;
  tokenizer?: (tokenizer: Json) => void;
  /** The Hugging Face tensors (their own names and bytes) as the mutant has them, one shard's at a time. */
  tensors?: (tensors: Tensor[]) => Tensor[];
}

function rewriteJson(file: string, change: (json: Json) => void): void {
  const json = JSON.parse(readFileSync(file, "utf8")) as Json;
  change(json);
  writeFileSync(file, JSON.stringify(json));
}

/** The directory of the mutant of zoo model `slug`. */
export function mutant(slug: string, m: Mutation): string {
  const dir = join(tempDir("refute-mutant-"), slug);
  cpSync(join("models", "zoo", slug), dir, { recursive: true });
  if (m.config) rewriteJson(join(dir, "config.json"), m.config);
  if (m.tokenizer) rewriteJson(join(dir, "tokenizer.json"), m.tokenizer);
  if (m.tensors) {
    // Each shard of a sharded checkpoint (tiny-qwen2's) is changed on its own.
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".safetensors")).map((f) => join(dir, f))) {
      writeFileSync(file, writeSafeTensorsBytes(m.tensors(readSafeTensorsFile(file)).map((t) => ({ ...t, data: new Uint8Array(t.data) }))));
    }
  }
  return dir;
}

/** `name`'s values changed by `change`, the tensor stored as f32 (whatever float type it had). */
export function withValues(tensors: Tensor[], name: string, change: (values: Float32Array) => void): Tensor[] {
  return tensors.map((t) => {
    if (t.name !== name) return t;
    const values = Float32Array.from(toFloat32(t));
    change(values);
    return { ...t, dtype: "f32", data: new Uint8Array(values.buffer) };
  });
}
