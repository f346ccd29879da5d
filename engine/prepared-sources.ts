// Sources prepared once per process (engine/convert.ts's prepareSource: load, quantize, convert)
// and handed to every runtime that asks for the same model, format and quantization with hooks
// the preparation would not act on. A teeth run makes a runtime per fault, and the faults that
// act in the forward pass (kernels, norm epsilon, activation, residual) leave every conversion
// as it was, yet each fault's runtime converted every model again: a tenth of such a pass.
//
// A preparation records the hooks it reads. One that read only hooks without a value computed
// what the clean preparation computes (its control flow saw nothing else), so it is kept with
// those names; a later request is served from it when none of those names has a value in its
// hooks. The names are read from the request's hooks again, so a recording wrapper there (the
// teeth run's clean pass, core/hook-reads.ts) sees the reads a preparation would have made.
// Kept while the files it came from are unchanged, within KEPT_BYTES, least recently used
// dropped first. A kept source is shared: nothing downstream writes into a source's tensors.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { filesIdentity } from "../core/file-identity.ts";
import { prepareSource } from "./convert.ts";
import type { EngineHooks } from "./hooks.ts";
import { type ModelSource, resolveModelPath } from "./load.ts";

/** Bytes of prepared sources kept; a source over a quarter of it is never kept (a real model's weights are not held twice). */
export const KEPT_BYTES = 256 * 2 ** 20;

interface Kept {
  source: ModelSource;
  /** the hooks the preparation read, every one without a value */
  reads: readonly string[];
  /** the identities of the model's files when it was prepared */
  files: string;
  bytes: number;
}

const kept = new Map<string, Kept>();

/** Bytes of the buffers a source's tensors view (a view pins its whole buffer). */
function heldBytes(source: ModelSource): number {
  const buffers = new Set<ArrayBufferLike>();
  for (const t of source.tensors.values()) buffers.add(t.data.buffer);
  return [...buffers].reduce((n, b) => n + b.byteLength, 0);
}

/** Where a model is read from, with the identities of its files (a directory's every file: config and tokenizer too); null where they cannot be read (prepareSource then says why). */
function modelFiles(model: string): { path: string; identity: string } | null {
  try {
    const path = resolveModelPath(model);
    const files = statSync(path).isDirectory()
      ? readdirSync(path, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(path, e.name)).sort()
      : [path];
    const identity = filesIdentity(files);
    return identity === null ? null : { path, identity };
  } catch {
    return null;
  }
}

/** `hooks`, with the names read through it and whether any of them had a value. */
function watched(hooks: EngineHooks): { hooks: EngineHooks; reads: Set<string>; valued: () => boolean } {
  const reads = new Set<string>();
  let valued = false;
  const proxy = new Proxy(hooks, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property === "string") {
        reads.add(property);
        if (value !== undefined) valued = true;
      }
      return value;
    },
  });
  return { hooks: proxy, reads, valued: () => valued };
}

function keep(key: string, entry: Kept): void {
  if (entry.bytes > KEPT_BYTES / 4) return;
  kept.set(key, entry);
  let total = [...kept.values()].reduce((n, k) => n + k.bytes, 0);
  for (const [k, e] of kept) {
    if (total <= KEPT_BYTES) break;
    kept.delete(k);
    total -= e.bytes;
  }
}

/** prepareSource(model, format, quant, hooks), served from an earlier clean preparation where `hooks` cannot change it. */
export function preparedSource(model: string, format: string, quant: string, hooks: EngineHooks): ModelSource {
  const files = modelFiles(model);
  if (files === null) return prepareSource(model, format, quant, hooks);
  const key = JSON.stringify([files.path, format, quant]);
  const entry = kept.get(key);
  if (entry && entry.files === files.identity && entry.reads.every((name) => (hooks as Record<string, unknown>)[name] === undefined)) {
    kept.delete(key);
    kept.set(key, entry);
    return entry.source;
  }
  const watch = watched(hooks);
  const source = prepareSource(model, format, quant, watch.hooks);
  if (!watch.valued()) keep(key, { source, reads: [...watch.reads], files: files.identity, bytes: heldBytes(source) });
  return source;
}
