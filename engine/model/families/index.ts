// The family registry: every family the engine implements, one specification file each
// (family.ts says what a specification holds). Adding a family is its file, its line here
// and its name in core/vocabulary.ts FAMILIES; the Record type makes a missing line a type
// error, and families.test.ts checks the registry against FAMILIES.

import { RefuteError } from "../../../core/errors.ts";
import type { Family } from "../../../core/vocabulary.ts";
import type { FamilySpec } from "./family.ts";
import { gpt2 } from "./gpt2.ts";
import { llama } from "./llama.ts";
import { qwen2 } from "./qwen2.ts";

export const FAMILY_SPECS: Readonly<Record<Family, FamilySpec>> = {
  llama,
  qwen2,
  gpt2,
};

const SPECS = Object.values(FAMILY_SPECS);

/** The family whose config.json has this model_type; an error naming the field and the known families otherwise. */
export function familyForModelType(modelType: unknown, file: string): FamilySpec {
  const spec = SPECS.find((s) => s.hf.modelType === modelType);
  if (spec) return spec;
  const known = SPECS.map((s) => s.hf.modelType);
  throw new RefuteError("CONFIG_UNSUPPORTED_MODEL", `${file}: model_type ${JSON.stringify(modelType)} is not one of ${known.join(", ")}`, {
    file,
    field: "model_type",
    found: modelType,
    expected: known,
  });
}

/** The family of a GGUF file's general.architecture; an error naming the field and the known architectures otherwise. */
export function familyForGgufArchitecture(architecture: string): FamilySpec {
  const spec = SPECS.find((s) => s.gguf.architecture === architecture);
  if (spec) return spec;
  const known = SPECS.map((s) => s.gguf.architecture);
  throw new RefuteError("GGUF_UNSUPPORTED_ARCH", `GGUF: general.architecture "${architecture}" is not one of ${known.join(", ")}`, {
    field: "general.architecture",
    found: architecture,
    expected: known,
  });
}

/** The tokenizer.json pre_tokenizer for a llama.cpp pre-tokenizer name, or undefined when no family uses it. */
export function preTokenizerJson(name: string): unknown {
  return SPECS.find((s) => s.preTokenizer.name === name)?.preTokenizer.json;
}

/** The llama.cpp pre-tokenizer names of every family, for error messages. */
export function preTokenizerNames(): string[] {
  return SPECS.map((s) => s.preTokenizer.name);
}
