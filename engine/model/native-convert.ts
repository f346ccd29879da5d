// A model source to and from the engine's native RFT container. The container keeps the
// canonical tensors exactly as the engine runs them ([out, in], GPT-2 already transposed and
// split), the Hugging Face config and tokenizer, and where the weights came from.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { NativeFile } from "../formats/native/read.ts";
import type { NativeWriteInput } from "../formats/native/write.ts";
import type { ModelSource, SourceFile } from "../load.ts";
import { architectureFromHfConfig } from "./config.ts";
import { eosIdsOf } from "./end-tokens.ts";
import type { Tensor } from "../tensor.ts";

export const TOOL_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The sha256 of a file's bytes, in hex (provenance records, served-model identities). */
export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export interface NativeOptions {
  quantization: string;
  createdAt?: string; // ISO time; now when omitted
}

export function nativeFromSource(source: ModelSource, options: NativeOptions): NativeWriteInput {
  return {
    config: source.config,
    tokenizer: source.tokenizerJson as Record<string, unknown>,
    chatTemplate: source.chatTemplate,
    endTokenIds: source.endTokenIds,
    provenance: {
      source_format: source.format,
      source_files: source.files.map((f) => ({ path: f.path, sha256: sha256File(f.path) })),
      quantization: options.quantization,
      tool_version: TOOL_VERSION,
      created_at: options.createdAt,
    },
    tensors: [...source.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data })),
  };
}

export function sourceFromNative(file: NativeFile, files: SourceFile[]): ModelSource {
  const tensors = new Map<string, Tensor>(file.tensors.map((t) => [t.name, { name: t.name, dtype: t.dtype, shape: t.shape, data: t.data }]));
  const endTokenIds = file.endTokenIds ?? eosIdsOf(file.config.eos_token_id, "RFT header config");
  return { format: "native", arch: architectureFromHfConfig(file.config, "RFT header config"), config: file.config, tensors, tokenizerJson: file.tokenizer, chatTemplate: file.chatTemplate, endTokenIds, files, details: { version: file.version, provenance: file.provenance } };
}
