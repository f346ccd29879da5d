// A model source's fingerprint: a hash of everything an EngineModel made from it computes with
// (its architecture, every tensor's name, type, shape and bytes, its tokenizer, chat template
// and end tokens; not its format, files or metadata, which it never reads). Two sources with
// one fingerprint give the same outputs for the same inputs on the same kernels and hooks: a
// SafeTensors model and its GGUF export that round-trip exactly are one computation, run once.

import { createHash } from "node:crypto";
import type { ModelSource } from "./load.ts";

/** Past this many tensor bytes a source gets no fingerprint: hashing it would cost seconds, and large models run in one format. */
export const MAX_FINGERPRINT_BYTES = 256 * 1024 * 1024;

/** The source's fingerprint (hex SHA-256), or null for a source of more than MAX_FINGERPRINT_BYTES. */
export function sourceFingerprint(source: Pick<ModelSource, "arch" | "tensors" | "tokenizerJson" | "chatTemplate" | "endTokenIds">): string | null {
  const tensors = [...source.tensors.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (tensors.reduce((n, t) => n + t.data.byteLength, 0) > MAX_FINGERPRINT_BYTES) return null;
  const hash = createHash("sha256");
  hash.update(JSON.stringify([source.arch, source.tokenizerJson, source.chatTemplate, source.endTokenIds]));
  for (const t of tensors) {
    hash.update(JSON.stringify([t.name, t.dtype, t.shape, t.data.byteLength]));
    hash.update(t.data);
  }
  return hash.digest("hex");
}
