// A model's tokenizer alone, from wherever it lives, without its architecture or its weights:
// a Hugging Face directory's tokenizer.json (a zoo slug too), a GGUF file's vocabulary (a
// llama.cpp vocabulary-only file as well as a whole model), or an RFT header's tokenizer; and
// its chat template (tokenizer_config.json's chat_template, a GGUF's tokenizer.chat_template).

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { RefuteError } from "../core/errors.ts";
import { readGgufFile } from "./formats/gguf/file.ts";
import { readNativeFile } from "./formats/native/file.ts";
import { metadataString } from "./formats/gguf/metadata.ts";
import { readJsonFile, resolveModelPath } from "./load.ts";
import { tokenizerJsonFromGguf } from "./model/gguf-vocab.ts";
import { type Tokenizer, type TokenizerHooks, tokenizerFromJson } from "./tokenizer/tokenizer.ts";

/** The tokenizer.json content of `model`. */
export function tokenizerJsonOf(model: string): unknown {
  const path = resolveModelPath(model);
  if (statSync(path).isDirectory()) return readJsonFile(join(path, "tokenizer.json"));
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (extension === "gguf") return tokenizerJsonFromGguf(readGgufFile(path));
  if (extension === "rft") return readNativeFile(path).tokenizer;
  throw new RefuteError("MODEL_UNKNOWN_FORMAT", `${path}: not a directory, a .gguf or a .rft file`, { file: path });
}

export function openTokenizer(model: string, hooks?: TokenizerHooks): Tokenizer {
  return tokenizerFromJson(tokenizerJsonOf(model), hooks);
}

export interface ChatTemplateSource {
  template: string;
  bosToken: string;
  eosToken: string;
}

/** The text of a tokenizer_config.json special-token entry (a string, or an object with content). */
function tokenText(v: unknown): string {
  if (typeof v === "string") return v;
  const content = (v as { content?: unknown } | null)?.content;
  return typeof content === "string" ? content : "";
}

/** The model's chat template and its bos/eos token texts; null when it has none. */
export function chatTemplateOf(model: string): ChatTemplateSource | null {
  const path = resolveModelPath(model);
  if (statSync(path).isDirectory()) {
    const file = join(path, "tokenizer_config.json");
    if (!existsSync(file)) return null;
    const config = readJsonFile(file) as Record<string, unknown>;
    const raw = config.chat_template;
    // a list of named templates: the one named "default"
    const template = typeof raw === "string" ? raw : Array.isArray(raw) ? (raw.find((t) => t?.name === "default")?.template as unknown) : undefined;
    if (typeof template !== "string") return null;
    return { template, bosToken: tokenText(config.bos_token), eosToken: tokenText(config.eos_token) };
  }
  if (path.toLowerCase().endsWith(".gguf")) {
    const file = readGgufFile(path);
    if (!file.metadata.has("tokenizer.chat_template")) return null;
    const tokens = file.metadata.get("tokenizer.ggml.tokens");
    const text = (key: string) => {
      const id = file.metadata.get(key);
      return id && typeof id.value === "number" && tokens?.type === "array" && tokens.itemType === "string" ? (tokens.value[id.value] ?? "") : "";
    };
    return { template: metadataString(file.metadata, "tokenizer.chat_template"), bosToken: text("tokenizer.ggml.bos_token_id"), eosToken: text("tokenizer.ggml.eos_token_id") };
  }
  return null;
}
