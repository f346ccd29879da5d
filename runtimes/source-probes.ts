// What each fault of the catalogue that transforms the model source would do to a source a
// subject prepares clean: the teeth run's clean pass tries every such transform where the
// engine reads the source hooks (core/hook-reads.ts recordingHooks' probes) and records
// whether it changed anything. A fault that leaves every source of a subject as it was (Q8_0
// scales on an F32 model, qkv biases on a model without them) cannot change that subject.

import { SOURCE_HOOKS } from "../core/hook-reads.ts";
import type { ModelSource } from "../engine/load.ts";
import type { Tensor } from "../engine/tensor.ts";
import { FAULT_HOOKS } from "./fault-hooks.ts";

const sameTensor = (a: Tensor, b: Tensor | undefined): boolean =>
  a === b || (b !== undefined && a.dtype === b.dtype && a.shape.join(",") === b.shape.join(",") && Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)));

/** Whether two sources hold the same tensors, byte for byte, and the same architecture. */
export function sameSource(a: ModelSource, b: ModelSource): boolean {
  if (a === b) return true;
  if (a.tensors.size !== b.tensors.size || JSON.stringify(a.arch) !== JSON.stringify(b.arch)) return false;
  for (const [name, t] of a.tensors) if (!sameTensor(t, b.tensors.get(name))) return false;
  return true;
}

type SourceTransform = (source: ModelSource) => ModelSource;

/** A probe per source hook: returns its source untouched, telling `onEffect` whether each fault's transform of that hook changed it. */
export function sourceProbes(onEffect: (fault: string, changed: boolean) => void): Record<string, SourceTransform> {
  const probe = (hook: string): SourceTransform => (source) => {
    for (const [fault, hooks] of Object.entries(FAULT_HOOKS)) {
      const transform = (hooks as Record<string, unknown>)[hook] as SourceTransform | undefined;
      if (transform) onEffect(fault, !sameSource(source, transform(source)));
    }
    return source;
  };
  return Object.fromEntries([...SOURCE_HOOKS].map((hook) => [hook, probe(hook)]));
}
