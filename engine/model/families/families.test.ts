// The family registry: it covers the vocabulary's FAMILIES; every entry maps its own example
// config to an Architecture of its traits and survives a GGUF round trip as that same
// Architecture; its tables name only canonical tensors and a pre-tokenizer the tokenizer
// builds; an unknown model_type or GGUF architecture is an error naming the field and the
// known families; and no engine module outside families/ names a family.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { isRefuteError, type RefuteError } from "../../../core/errors.ts";
import { FAMILIES } from "../../../core/vocabulary.ts";
import { readGguf } from "../../formats/gguf/read.ts";
import { writeGguf } from "../../formats/gguf/write.ts";
import { REPO_ROOT, type ModelSource } from "../../load.ts";
import { float32Bytes, type Tensor } from "../../tensor.ts";
import { buildPreTokenizer } from "../../tokenizer/pretokenizer.ts";
import { architectureFromHfConfig } from "../config.ts";
import { expectedShapes } from "../contract.ts";
import { ggufFromSource } from "../gguf-export.ts";
import { sourceFromGguf } from "../gguf-import.ts";
import { LAYER_ROLES, OUTPUT, OUTPUT_NORM, POSITION_EMBEDDING, TOKEN_EMBEDDING } from "../names.ts";
import { FAMILY_SPECS, familyForGgufArchitecture } from "./index.ts";

const SPECS = Object.values(FAMILY_SPECS);

function errorOf(fn: () => unknown): RefuteError {
  try {
    fn();
  } catch (e) {
    if (isRefuteError(e)) return e;
    throw e;
  }
  throw new Error("expected a RefuteError");
}

/** A model of the architecture with every tensor its contract expects (zeros) and a vocabulary of plain tokens. */
function zeroSource(config: Record<string, unknown>): ModelSource {
  const arch = architectureFromHfConfig(config);
  const tensors = new Map<string, Tensor>();
  for (const [name, shape] of expectedShapes(arch)) {
    tensors.set(name, { name, dtype: "f32", shape, data: float32Bytes(new Float32Array(shape.reduce((a, b) => a * b, 1))) });
  }
  const vocab = Object.fromEntries(Array.from({ length: arch.vocabSize }, (_, id) => [`t${id}`, id]));
  return { format: "safetensors", arch, config, tensors, tokenizerJson: { model: { type: "BPE", vocab, merges: [] } }, chatTemplate: null, endTokenIds: [], files: [] };
}

describe("the family registry", () => {
  it("covers core/vocabulary.ts FAMILIES, each entry under its own name", () => {
    expect(Object.keys(FAMILY_SPECS).sort()).toEqual([...FAMILIES].sort());
    for (const [name, spec] of Object.entries(FAMILY_SPECS)) expect(spec.family).toBe(name);
  });

  it("gives every family its own model_type, GGUF architecture and pre-tokenizer name", () => {
    for (const key of [(s: (typeof SPECS)[number]) => s.hf.modelType, (s: (typeof SPECS)[number]) => s.gguf.architecture, (s: (typeof SPECS)[number]) => s.preTokenizer.name]) {
      expect(new Set(SPECS.map(key)).size).toBe(SPECS.length);
    }
  });

  describe.each(SPECS.map((s) => [s.family, s] as const))("%s", (family, spec) => {
    it("maps its own example config to an Architecture of its traits", () => {
      const arch = architectureFromHfConfig(spec.example, `${family}/config.json`);
      expect(arch).toMatchObject({ family, ...spec.traits });
      expect(arch.rotaryDims).toBe(spec.traits.position === "rope" ? arch.headDim : 0);
      expect(expectedShapes(arch).size).toBeGreaterThan(0);
    });

    it("comes back from its GGUF export as the same Architecture and tensor shapes", () => {
      const source = zeroSource({ ...spec.example });
      const back = sourceFromGguf(readGguf(writeGguf(ggufFromSource(source, family, "f32"))), []);
      // GGUF stores the epsilon and theta as f32.
      expect(back.arch).toEqual({ ...source.arch, normEps: Math.fround(source.arch.normEps), ropeTheta: Math.fround(source.arch.ropeTheta) });
      expect(back.config).toMatchObject({ model_type: spec.hf.modelType, architectures: [spec.hf.architectures[0]] });
      expect(new Map([...back.tensors].map(([n, t]) => [n, t.shape]))).toEqual(new Map([...source.tensors].map(([n, t]) => [n, t.shape])));
      expect(familyForGgufArchitecture(spec.gguf.architecture)).toBe(spec);
    });

    it("names only canonical tensors, and a pre-tokenizer the tokenizer builds", () => {
      const canonicalLayer = new Set(LAYER_ROLES.flatMap((role) => [`${role}.weight`, `${role}.bias`]));
      for (const target of Object.values(spec.tensors.layer)) {
        for (const to of typeof target.to === "string" ? [target.to] : target.to) expect(canonicalLayer, to).toContain(to);
      }
      const canonicalGlobal = [TOKEN_EMBEDDING, POSITION_EMBEDDING, `${OUTPUT_NORM}.weight`, `${OUTPUT_NORM}.bias`, OUTPUT];
      for (const to of Object.values(spec.tensors.global)) expect(canonicalGlobal).toContain(to);
      expect(typeof buildPreTokenizer(spec.preTokenizer.json)).toBe("function");
    });
  });

  it("refuses an unknown model_type, naming the field, what it found and the known families", () => {
    const e = errorOf(() => architectureFromHfConfig({ ...FAMILY_SPECS.llama.example, model_type: "mamba" }, "m/config.json"));
    expect(e.code).toBe("CONFIG_UNSUPPORTED_MODEL");
    expect(e.facts).toMatchObject({ file: "m/config.json", field: "model_type", found: "mamba", expected: SPECS.map((s) => s.hf.modelType) });
    expect(e.message).toBe('m/config.json: model_type "mamba" is not one of llama, qwen2, gpt2');
  });

  it("refuses an unknown GGUF architecture, naming the field and the known ones", () => {
    const e = errorOf(() => familyForGgufArchitecture("mamba"));
    expect(e.code).toBe("GGUF_UNSUPPORTED_ARCH");
    expect(e.facts).toMatchObject({ field: "general.architecture", found: "mamba", expected: SPECS.map((s) => s.gguf.architecture) });
  });
});

/** Every engine source file (tests excluded), as [path from the repository root, text]. */
function engineSources(dir = join(REPO_ROOT, "engine")): [string, string][] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry): [string, string][] => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return engineSources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [[relative(REPO_ROOT, path), readFileSync(path, "utf8")]] : [];
  });
}

it("no engine module outside families/ names a family in a string literal (but the GGUF tokenizer kinds \"gpt2\" and \"llama\", a BPE and a SentencePiece name, and llama.cpp's pre-tokenizer names)", () => {
  const literal = new RegExp(`["'\`](${FAMILIES.join("|")})["'\`]`);
  const found = engineSources()
    .filter(([path]) => !path.startsWith("engine/model/families/") && path !== "engine/tokenizer/llama-pre-tokenizers.ts")
    .flatMap(([path, text]) => text.split("\n").filter((line) => literal.test(line)).map((line) => `${path}: ${line.trim()}`));
  expect(found).toEqual(['engine/model/gguf-export.ts: export const GGUF_BPE_TOKENIZER = "gpt2";', 'engine/model/gguf-vocab.ts: export const GGUF_SPM_TOKENIZER = "llama";']);
});
