// F-GT-006: a checkpoint sharded over several SafeTensors files loads every tensor its index
// names, exactly once, and the model then passes its load contract. The index
// (model.safetensors.index.json, Hugging Face's) is read here from the checkpoint's
// directory, not taken from the tool.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";
import { SAFETENSORS_F32 } from "./forms.ts";

export async function shardedLoad(tool: ModelFileTool): Promise<ProbeResult> {
  const { dir } = await tool.checkpoint();
  const index = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8")) as { weight_map: Record<string, string> };
  const named = Object.keys(index.weight_map);
  const loaded = await tool.checkpointTensors();
  const names = new Set(loaded.map((t) => t.name));
  const violations: string[] = [];
  for (const name of named) if (!names.has(name)) violations.push(`${name} named in the index but not loaded`);
  if (loaded.length !== named.length) violations.push(`${loaded.length} tensors loaded, the index names ${named.length}`);
  const error = await tool.loadError(SAFETENSORS_F32);
  if (error) violations.push(`model does not load: ${error.code}`);
  return { checked: loaded.length + 1, violations };
}
