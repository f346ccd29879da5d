// The engine's hooks: every place where a caller can make the engine behave as one specific
// buggy runtime or converter would, so that claims can be shown to catch that bug. Each hook
// is a boolean or a number read once per call, or a function that replaces one stage (a
// kernel backend, a loaded source); with none set (NO_HOOKS) the engine runs exactly its clean
// code. The engine knows hooks, not faults: which hooks a fault of the catalogue sets is
// decided outside the engine (runtimes/fault-hooks.ts).

import type { Kernels } from "./backends/kernels.ts";
import type { ModelSource } from "./load.ts";
import type { Activation } from "./model/architecture.ts";

export interface EngineHooks {
  // Loading and converting (convert.ts, the importers and exporters of model/).

  /** Hugging Face import: GPT-2's Conv1D weights kept in their [in, out] storage layout. */
  readonly skipConv1dTranspose?: boolean;
  /** After loading, before quantization: the float source as a buggy loader would have made it (model/source-faults.ts). */
  readonly loadedSource?: (source: ModelSource) => ModelSource;
  /** After quantization: the source as a buggy quantizer's writer would have made it (model/source-faults.ts). */
  readonly quantizedSource?: (source: ModelSource) => ModelSource;
  /** GGUF export: q/k rows left in split-halves order where llama.cpp expects adjacent pairs. */
  readonly skipQkPermutation?: boolean;
  /** GGUF export: <arch>.attention.head_count_kv written as the query heads' count (a converter that ignores GQA). */
  readonly ggufKvHeadsAsHeads?: boolean;
  /** GGUF import: each tensor's bytes read this many bytes early, as if there were no alignment padding. */
  readonly ggufMisalignBy?: number;

  // Running (model.ts, generate/session.ts, kv/).

  /** Tokenizer: merges read from index 1, as for a merges.txt whose line 0 is the #version header. */
  readonly dropFirstMerge?: boolean;
  /** SentencePiece tokenizer: byte tokens <0xNN> not used, so a character the vocabulary lacks becomes the unknown token. */
  readonly spmNoByteFallback?: boolean;
  /** SentencePiece tokenizer: no "▁" put before a text's start, whatever the vocabulary's add_space_prefix says. */
  readonly spmNoSpacePrefix?: boolean;
  /** RoPE: the config's rope_scaling ignored, plain frequencies at every position. */
  readonly ropeScalingIgnored?: boolean;
  /** Chat templates: rendered without the generation prompt (add_generation_prompt ignored), so the model is not told it is its turn. */
  readonly chatNoGenerationPrompt?: boolean;
  /** Prompt encoding: the model's BOS token prepended to every prompt (where it has one). */
  readonly prependBos?: boolean;
  /** The MLP activation the forward pass uses instead of its own (generate/activation-faults.ts); the fused SwiGLU kernel is then bypassed. */
  readonly activation?: (name: Activation) => (x: number) => number;
  /** The kernel backend as the forward pass gets it: wrapped so that one kernel has a bug (backends/faulty.ts). */
  readonly kernels?: (base: Kernels) => Kernels;
  /** Decode: queries rotated at position + this (0: their own position). */
  readonly ropePositionOffset?: number;
  /** Decode: each new key and value written one slot back, over the previous position. */
  readonly writesOneSlotBack?: boolean;
  /** KV cache: a ring of this many entries (an integer, at least KV_WRAP_MIN), position p written to slot p mod n, so past n positions the oldest keys are gone. */
  readonly kvPositionWrap?: number;
  /** Detokenizer: each generated token decoded on its own, so a character split across tokens becomes U+FFFD. */
  readonly detokenizePerToken?: boolean;
  /** Generation: the model's end-of-sequence tokens not honoured, so it always runs to max_new_tokens. */
  readonly eosIgnored?: boolean;
  /** KV quantizer: group scale over the unsigned range (amax / (2^bits - 1)) while codes are signed. */
  readonly kvScaleUnsignedRange?: boolean;
  /** Quantized KV cache: codes read back without their sign (int8 as unsigned bytes, int4 nibbles without -8). */
  readonly kvCodesUnsigned?: boolean;
  /** KV quantizer: sparsification zeroes the values of largest magnitude in each group instead of the smallest. */
  readonly kvSparsityDropsLargest?: boolean;
}

/**
 * The smallest KV ring the kvPositionWrap hook may set. A ring of n changes nothing before
 * position n, so a session reads the hook only when it reaches this position: the perplexity
 * windows (128 tokens, positions 0-126) and short generations never consult it.
 */
export const KV_WRAP_MIN = 128;

/** No hook set: the clean engine. */
export const NO_HOOKS: EngineHooks = Object.freeze({});

/** The backend the forward pass runs on: `base` itself unless a hook wraps it. */
export function hookedKernels(base: Kernels, hooks: Pick<EngineHooks, "kernels">): Kernels {
  return hooks.kernels ? hooks.kernels(base) : base;
}
