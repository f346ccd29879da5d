// Reads SafeTensors files (single or sharded through model.safetensors.index.json) into
// engine tensors. Tensor bytes are views into the file buffer, never copies.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RefuteError } from "../../../core/errors.ts";
import type { Tensor } from "../../tensor.ts";
import { parseSafeTensorsHeader } from "./header.ts";

export function readSafeTensorsBytes(bytes: Uint8Array, file: string): Tensor[] {
  const header = parseSafeTensorsHeader(bytes, file);
  return header.entries.map((e) => ({
    name: e.name,
    dtype: e.dtype.toLowerCase() as Tensor["dtype"],
    shape: e.shape,
    data: bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end),
  }));
}

export function readSafeTensorsFile(file: string): Tensor[] {
  return readSafeTensorsBytes(readFileSync(file), file);
}

/** The files that hold a Hugging Face directory's weights, sharded or not. */
export function safeTensorsFiles(dir: string): string[] {
  const index = join(dir, "model.safetensors.index.json");
  if (existsSync(index)) return shardFiles(index, dir);
  const single = join(dir, "model.safetensors");
  if (existsSync(single)) return [single];
  throw new RefuteError("SAFETENSORS_NOT_FOUND", `${dir}: neither model.safetensors nor model.safetensors.index.json`, { dir });
}

function shardFiles(index: string, dir: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(index, "utf8"));
  } catch (e) {
    throw new RefuteError("SAFETENSORS_BAD_INDEX", `${index}: not valid JSON (${(e as Error).message})`, { file: index });
  }
  const weightMap = (parsed as { weight_map?: unknown })?.weight_map;
  if (weightMap === null || typeof weightMap !== "object" || Array.isArray(weightMap)) {
    throw new RefuteError("SAFETENSORS_BAD_INDEX", `${index}: weight_map must be an object of tensor name -> shard file`, { file: index, field: "weight_map" });
  }
  const files = new Set<string>();
  for (const [tensor, shard] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\")) {
      throw new RefuteError("SAFETENSORS_BAD_INDEX", `${index}: weight_map.${tensor} must be a file name in the same directory`, { file: index, tensor });
    }
    files.add(shard);
  }
  const paths = [...files].sort().map((f) => join(dir, f));
  const missing = paths.find((p) => !existsSync(p));
  if (missing) throw new RefuteError("SAFETENSORS_NOT_FOUND", `${missing}: a shard ${index} names is missing`, { file: missing });
  return paths;
}

/** All tensors of a directory; a name found in two shards is an error. */
export function readSafeTensorsDir(dir: string): Tensor[] {
  const seen = new Map<string, string>();
  const tensors: Tensor[] = [];
  for (const file of safeTensorsFiles(dir)) {
    for (const t of readSafeTensorsFile(file)) {
      const other = seen.get(t.name);
      if (other) throw new RefuteError("SAFETENSORS_DUPLICATE", `tensor ${t.name} appears in ${other} and ${file}`, { tensor: t.name, file });
      seen.set(t.name, file);
      tensors.push(t);
    }
  }
  return tensors;
}
