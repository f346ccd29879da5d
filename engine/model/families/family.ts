// What a model family is to the engine, as data, in the spirit of llama.cpp's LLM_ARCH and
// tensor-name tables: how its config.json becomes an Architecture, how its Hugging Face
// tensor names become canonical ones, how it is written to and read from GGUF, which
// pre-tokenizer it uses, and the traits the forward pass reads. One file per family beside
// this one; the registry (index.ts) lists them. The code that reads these specifications
// lives with each reader (config.ts, hf-names.ts, gguf-import.ts, gguf-export.ts); this file
// holds only the shape of a specification.

import type { Family } from "../../../core/vocabulary.ts";
import type { Architecture } from "../architecture.ts";

/** The numeric Architecture fields a config.json or a GGUF file gives. */
export type ShapeField = "vocabSize" | "hidden" | "layers" | "heads" | "kvHeads" | "headDim" | "rotaryDims" | "intermediate" | "maxPositions" | "normEps" | "ropeTheta";

/** The shape fields every family reads from its config; the others have a derived value when a family names no key. */
export type RequiredShapeField = "vocabSize" | "hidden" | "layers" | "heads" | "intermediate" | "maxPositions" | "normEps";

/** The fields already read, in config.ts's reading order, when a fallback is computed. */
export type ReadFields = Readonly<Record<ShapeField, number>>;

/** A config.json key and the value taken when the key is absent or null (none: the key is required). */
export interface ConfigKey {
  key: string;
  fallback?: (read: ReadFields) => number;
}

/** The config.json keys of a family, listed in the order a config rebuilt from GGUF writes them. */
export type ConfigKeys = { readonly [F in RequiredShapeField]: ConfigKey } & { readonly [F in Exclude<ShapeField, RequiredShapeField>]?: ConfigKey };

/**
 * The forward pass's traits of the family. qkvBias and tiedEmbeddings are defaults: a
 * family's qkvBiasKey can turn q/k/v biases on, and tie_word_embeddings says whether the
 * head is tied.
 */
export type FamilyTraits = Pick<Architecture, "norm" | "position" | "activation" | "gatedMlp" | "embeddingScale" | "qkvBias" | "outputBias" | "tiedEmbeddings">;

/** What a Hugging Face layer tensor becomes within its layer (`blk.<n>.`). */
export interface LayerTensor {
  /** One canonical name, or several: the tensor is a fused projection split by rows into equal parts, in this order. */
  to: string | readonly string[];
  /** Stored [in, out] (GPT-2's Conv1D): transposed to the engine's [out, in] at load. */
  conv1d?: true;
}

export interface HfTensorNames {
  /** Stripped from every name first, where present (GPT-2 checkpoints saved with their `transformer.` module). */
  prefix?: string;
  /** Whole-model tensors: Hugging Face name -> canonical name. */
  global: Readonly<Record<string, string>>;
  /** Layer tensors are named `${layerPrefix}<n>.<suffix>`. */
  layerPrefix: string;
  /** Layer tensors by suffix. */
  layer: Readonly<Record<string, LayerTensor>>;
  /** Name suffixes of buffers that checkpoints carry and that are not weights. */
  ignored: readonly string[];
}

/** One `<architecture>.<key>` hyperparameter of GGUF metadata. */
export interface GgufHyperparameter {
  key: string;
  field: ShapeField;
  type: "u32" | "f32";
  /** A file may lack it; the config.json fallback of its field then applies. Required otherwise. */
  optional?: true;
}

export interface GgufSpec {
  /** general.architecture, and the prefix of the hyperparameter keys. */
  architecture: string;
  /** The hyperparameters, in the order they are written. vocabSize is always read back from the token list. */
  hyperparameters: readonly GgufHyperparameter[];
  /** q, k and v are stored as one attn_qkv, rows q then k then v. */
  fusedQkv: boolean;
  /** llama.cpp rotates adjacent pairs for this architecture, so q/k rows are permuted on export and back on import (rope-permute.ts). */
  adjacentPairRope: boolean;
}

export interface PreTokenizerSpec {
  /** llama.cpp's name for it (tokenizer.ggml.pre). */
  name: string;
  /** The pre_tokenizer of tokenizer.json that Hugging Face writes for it, rebuilt on GGUF import. */
  json: unknown;
}

export interface FamilySpec {
  family: Family;
  /** config.json's model_type that selects the family, and its architectures (the first is written into a config rebuilt from GGUF). */
  hf: { modelType: string; architectures: readonly string[] };
  traits: FamilyTraits;
  config: ConfigKeys;
  /** A config.json key whose value must be traits.activation where present; null: the family has one activation and no key for it. */
  activationKey: string | null;
  /** A config.json key that, true, turns q/k/v biases on; null: traits.qkvBias alone decides. */
  qkvBiasKey: string | null;
  tensors: HfTensorNames;
  gguf: GgufSpec;
  preTokenizer: PreTokenizerSpec;
  /** A minimal config.json of the family: documentation, and what the registry's tests map to an Architecture. */
  example: Readonly<Record<string, unknown>>;
}

/** The ByteLevel pre-tokenizer as Hugging Face writes it: GPT-2's regex split, then bytes to symbols. */
export const BYTE_LEVEL_PRE_TOKENIZER = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
