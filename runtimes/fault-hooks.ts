// The one mapping from a fault of the teeth catalogue (core/faults.ts) to the engine hooks
// that make the embedded engine have that bug (engine/hooks.ts), and refute serve's for the
// serving faults (serve/serve-hooks.ts). The engine never sees a
// fault's name: runtimes and tests build its hooks here. A Record over every Fault, so a
// fault added to the catalogue without hooks is a type error.

import { withAdjacentPairRope, withGqaModuloHeads, withNormEpsilonIgnored, withNormEpsilonScaled, withSoftmaxNoMaxSubtraction } from "../engine/backends/faulty.ts";
import { activationConstantMoved } from "../engine/generate/activation-faults.ts";
import { NO_HOOKS, type EngineHooks } from "../engine/hooks.ts";
import { embeddingReadTransposed, q4MixEmbeddingZeroed, q4NibblesSwapped, q8ScalesThroughBf16, qkvBiasesDropped, residualBranchesScaled, untiedHeadAsTied, vectorsQuantized } from "../engine/model/source-faults.ts";
import type { Fault } from "../core/faults.ts";
import type { ServeHooks } from "../serve/serve-hooks.ts";

// gguf-alignment-off: tensor offsets shifted by 16 bytes (of the 32 that GGUF aligns data to).
const MISALIGNMENT_BYTES = 16;

/** A fault's hooks: the engine's, and refute serve's for the serving faults (serve/serve-hooks.ts). */
export interface FaultHooks extends EngineHooks {
  readonly serve?: ServeHooks;
}

export const FAULT_HOOKS: Readonly<Record<Fault, FaultHooks>> = {
  "embedding-transposed": { loadedSource: embeddingReadTransposed },
  "conv1d-not-transposed": { skipConv1dTranspose: true },
  "qk-permutation-skipped": { skipQkPermutation: true },
  "rope-position-off-by-one": { ropePositionOffset: 1 },
  "rope-adjacent-pairs": { kernels: withAdjacentPairRope },
  "qkv-bias-dropped": { loadedSource: qkvBiasesDropped },
  "gqa-head-mapping": { kernels: withGqaModuloHeads },
  "norm-epsilon-ignored": { kernels: withNormEpsilonIgnored },
  "softmax-no-max-subtraction": { kernels: withSoftmaxNoMaxSubtraction },
  "kv-cache-stale-position": { writesOneSlotBack: true },
  "q4-nibble-order-swapped": { quantizedSource: q4NibblesSwapped },
  "q8-scale-bf16": { quantizedSource: q8ScalesThroughBf16 },
  "tokenizer-merge-ranks-off-by-one": { dropFirstMerge: true },
  "bos-prepended": { prependBos: true },
  "spm-byte-fallback-dropped": { spmNoByteFallback: true },
  "spm-space-prefix-dropped": { spmNoSpacePrefix: true },
  "chat-generation-prompt-dropped": { chatNoGenerationPrompt: true },
  "rope-scaling-ignored": { ropeScalingIgnored: true },
  "gguf-alignment-off": { ggufMisalignBy: MISALIGNMENT_BYTES },
  "untied-head-as-tied": { loadedSource: untiedHeadAsTied },
  "gguf-kv-heads-as-heads": { ggufKvHeadsAsHeads: true },
  "q4-mix-embedding-zeroed": { quantizedSource: q4MixEmbeddingZeroed },
  "quant-vectors-quantized": { quantizedSource: vectorsQuantized },
  "kv-group-scale-wrong": { kvScaleUnsignedRange: true },
  "kv-codes-read-unsigned": { kvCodesUnsigned: true },
  "kv-sparsity-drops-largest": { kvSparsityDropsLargest: true },
  "kv-position-wrap-128": { kvPositionWrap: 128 },
  "detokenizer-bytes-per-token": { detokenizePerToken: true },
  "eos-never-reported": { eosIgnored: true },
  "serve-stream-splits-utf8": { serve: { streamPerToken: true } },
  "serve-shared-kv-cache": { serve: { sharedKvCache: true } },
  "serve-logprobs-as-probabilities": { serve: { logprobsAsProbabilities: true } },
  "serve-stop-ignored": { serve: { stopIgnored: true } },
  "serve-max-tokens-off-by-one": { serve: { maxTokensExtra: 1 } },
  "serve-seed-ignored": { serve: { seedIgnored: true } },
  "residual-scaled-1e-2": { loadedSource: residualBranchesScaled(1 - 1e-2) },
  "residual-scaled-1e-3": { loadedSource: residualBranchesScaled(1 - 1e-3) },
  "residual-scaled-1e-4": { loadedSource: residualBranchesScaled(1 - 1e-4) },
  "residual-scaled-1e-5": { loadedSource: residualBranchesScaled(1 - 1e-5) },
  "norm-epsilon-x1000": { kernels: withNormEpsilonScaled(1000) },
  "norm-epsilon-x100": { kernels: withNormEpsilonScaled(100) },
  "norm-epsilon-x10": { kernels: withNormEpsilonScaled(10) },
  "norm-epsilon-x2": { kernels: withNormEpsilonScaled(2) },
  "activation-constant-1e-2": { activation: activationConstantMoved(1e-2) },
  "activation-constant-1e-3": { activation: activationConstantMoved(1e-3) },
  "activation-constant-1e-4": { activation: activationConstantMoved(1e-4) },
  "activation-constant-1e-5": { activation: activationConstantMoved(1e-5) },
};

/** The hooks that inject `fault` into the engine (and refute serve); none (the clean engine) for null. */
export function hooksFor(fault: Fault | null): FaultHooks {
  return fault === null ? NO_HOOKS : FAULT_HOOKS[fault];
}
