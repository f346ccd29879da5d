// What a model is, read here from its Hugging Face config.json and nothing else: the
// expectation every tools probe compares a tool's report with. transformers' own field names,
// GPT-2's older ones (n_layer, n_head, n_embd, n_inner) included; the tool under test is never
// asked.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlockedError } from "../../runtimes/runtime.ts";

export interface ExpectedArchitecture {
  family: string; // config.json's model_type
  layers: number;
  heads: number;
  kvHeads: number;
  hidden: number;
  intermediate: number;
  vocab: number;
  tiedEmbeddings: boolean;
  contextLength: number;
}

const MAX_CONFIG_BYTES = 1 << 20;

function positiveInteger(config: Record<string, unknown>, keys: string[], file: string): number {
  for (const key of keys) {
    const v = config[key];
    if (Number.isInteger(v) && (v as number) > 0) return v as number;
  }
  throw new BlockedError(`${file}: no positive integer among ${keys.join(", ")}; nothing to compare the tool's report with`);
}

/** The architecture config.json in `modelDir` states; blocked where there is none (a model given only as a .gguf). */
export function expectedArchitecture(modelDir: string): ExpectedArchitecture {
  const file = join(modelDir, "config.json");
  if (!existsSync(file) || statSync(file).size > MAX_CONFIG_BYTES) throw new BlockedError(`no config.json of at most 1 MiB in ${modelDir}: the tools probes compare with the Hugging Face config`);
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (typeof config.model_type !== "string") throw new BlockedError(`${file}: no model_type`);
  const hidden = positiveInteger(config, ["hidden_size", "n_embd"], file);
  const heads = positiveInteger(config, ["num_attention_heads", "n_head"], file);
  const inner = config.intermediate_size ?? config.n_inner;
  return {
    family: config.model_type,
    layers: positiveInteger(config, ["num_hidden_layers", "n_layer"], file),
    heads,
    kvHeads: Number.isInteger(config.num_key_value_heads) ? (config.num_key_value_heads as number) : heads,
    hidden,
    // GPT-2's n_inner null means 4 x n_embd (transformers' GPT2MLP)
    intermediate: Number.isInteger(inner) ? (inner as number) : 4 * hidden,
    vocab: positiveInteger(config, ["vocab_size"], file),
    // transformers' default is tied
    tiedEmbeddings: config.tie_word_embeddings !== false,
    contextLength: positiveInteger(config, ["max_position_embeddings", "n_positions", "n_ctx"], file),
  };
}

const ZOO_DIR = fileURLToPath(new URL("../../models/zoo/", import.meta.url));

/** Where the subject's Hugging Face files are: its configured path, else the zoo's directory of its name. */
export function modelDirectory(subject: { model: string; path?: string }): string {
  return subject.path ?? join(ZOO_DIR, subject.model);
}
