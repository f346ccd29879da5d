// A model's tokenizer alone, from wherever it lives, without its architecture or its weights:
// a Hugging Face directory's tokenizer.json (a zoo slug too), a GGUF file's vocabulary (a
// llama.cpp vocabulary-only file as well as a whole model), or an RFT header's tokenizer; and
// its chat template (tokenizer_config.json's chat_template, a GGUF's tokenizer.chat_template).

import { statSync } from "node:fs";
import { join } from "node:path";
import { RefuteError } from "../core/errors.ts";
import { readGgufFile } from "./formats/gguf/file.ts";
import { readNativeFile } from "./formats/native/file.ts";
import { readChatTemplate, readJsonFile, resolveModelPath } from "./load.ts";
import { chatTemplateOfGguf, tokenizerJsonFromGguf } from "./model/gguf-vocab.ts";
import type { ChatTemplate } from "./tokenizer/chat-template.ts";
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

/** The model's chat template and its bos/eos token texts; null when it has none. */
export function chatTemplateOf(model: string): ChatTemplate | null {
  const path = resolveModelPath(model);
  if (statSync(path).isDirectory()) return readChatTemplate(path);
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (extension === "gguf") return chatTemplateOfGguf(readGgufFile(path));
  if (extension === "rft") return readNativeFile(path).chatTemplate;
  throw new RefuteError("MODEL_UNKNOWN_FORMAT", `${path}: not a directory, a .gguf or a .rft file`, { file: path });
}
