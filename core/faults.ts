// The catalogue of injectable faults: each a minimal, realistic bug of the kind that breaks
// real runtimes and converters. A fault is active only when named explicitly (`--inject`);
// with none named the engine runs exactly the clean code (the faulty variants are separate
// functions or a boolean checked once per call, never a lookup on a hot path).
// The teeth run injects each in turn and shows which claims refute it.

import { RefuteError } from "./errors.ts";

export const FAULTS = {
  "embedding-transposed": "token embedding read as if stored [hidden, vocab] (a GGUF importer that forgets to reverse dims)",
  "conv1d-not-transposed": "GPT-2 Conv1D weights used in their [in, out] storage layout instead of [out, in]",
  "qk-permutation-skipped": "GGUF export of a llama model without llama.cpp's q/k row permutation for adjacent-pair RoPE",
  "rope-position-off-by-one": "decode-step queries rotated at position + 1 (the cache position advanced before RoPE)",
  "rope-adjacent-pairs": "RoPE rotates adjacent pairs (x[2i], x[2i+1]) on weights laid out for split halves",
  "qkv-bias-dropped": "q/k/v projection biases ignored at load (Qwen2, GPT-2)",
  "gqa-head-mapping": "query head h reads kv head h % kvHeads instead of floor(h / (heads / kvHeads))",
  "norm-epsilon-ignored": "RMSNorm/LayerNorm computed without epsilon",
  "softmax-no-max-subtraction": "softmax exponentiates raw scores without subtracting the maximum",
  "kv-cache-stale-position": "each new key/value written one slot back, over the previous position",
  "q4-nibble-order-swapped": "Q4_0 blocks written with elements i and i + 16 in each other's nibble",
  "q8-scale-bf16": "Q8_0 block scales rounded to bf16 precision instead of fp16",
  "tokenizer-merge-ranks-off-by-one": "merges read from index 1, as for a merges.txt whose line 0 is the #version header: merge 0 is lost, every rank shifts",
  "bos-prepended": "a BOS token prepended to every prompt of a model that has none",
  "spm-byte-fallback-dropped": "a SentencePiece tokenizer without byte fallback: a character the vocabulary lacks becomes the unknown token instead of its <0xNN> bytes",
  "spm-space-prefix-dropped": "a SentencePiece tokenizer that ignores add_space_prefix: no \u2581 before a text's first word",
  "chat-generation-prompt-dropped": "chat templates rendered without add_generation_prompt: the assistant's turn is never opened",
  "rope-scaling-ignored": "config.json's rope_scaling ignored: plain RoPE frequencies at every position",
  "gguf-alignment-off": "GGUF tensor data read without the alignment padding (offsets shifted by 16 bytes)",
  "untied-head-as-tied": "an untied output head ignored and the token embedding used as the head",
  "gguf-kv-heads-as-heads": "GGUF export writes attention.head_count_kv as the query heads' count (a converter that ignores grouped-query attention)",
  "q4-mix-embedding-zeroed": "the 4-bit mix's writer stores the token embedding as all-zero blocks (the ground-truth seed's issue #232)",
  "quant-vectors-quantized": "norm weights and biases quantized with the matrices (a quantization policy that looks at names, not at rank)",
  "kv-group-scale-wrong": "KV-cache group scale computed for the unsigned range (amax / (2^bits - 1)) while codes are signed: codes clamp at 2^(bits-1) - 1, clipping every value above half its group's largest magnitude",
  "kv-codes-read-unsigned": "KV-cache codes read back without their sign: int8 codes through an unsigned byte view, int4 nibbles without the -8 offset",
  "kv-sparsity-drops-largest": "KV-cache sparsification that zeroes the values of largest magnitude in each group instead of the smallest (a sort in the wrong direction)",
  "kv-position-wrap-128": "a KV cache that is a ring of 128 entries: position p written to slot p mod 128, so past 128 positions the oldest keys and values are gone (llama.cpp #23693, #23717: caches that break after 100-150 tokens)",
  "detokenizer-bytes-per-token": "generated tokens detokenized one at a time: a character split across byte-level tokens becomes U+FFFD (dynamo #12630)",
  "eos-never-reported": "the model's end-of-sequence tokens not honoured: generation always runs to max_new_tokens (ollama #3759, vLLM #4180)",
  "serve-stream-splits-utf8": "a server whose streamed deltas decode each token on its own: a character split across tokens arrives as U+FFFD while the whole answer is right (dynamo #12630, sglang #31598)",
  "serve-shared-kv-cache": "a server whose requests in flight share one KV cache: each new request's prefill overwrites the others' (vLLM #5898, llama.cpp #7052)",
  "serve-logprobs-as-probabilities": "a server that reports probabilities where the API says log-probabilities (exp(logprob))",
  "serve-stop-ignored": "a server that accepts stop strings and ignores them (generation runs to max_tokens)",
  "serve-max-tokens-off-by-one": "a server that generates max_tokens + 1 tokens",
  "serve-seed-ignored": "a server that accepts seed and ignores it: every sampled request draws from a seed of its own (llama.cpp #6955)",
  "residual-scaled-1e-2": "every layer's attention and MLP outputs scaled by 1 - 1e-2 before the residual add (graded: residual-scaled)",
  "residual-scaled-1e-3": "every layer's attention and MLP outputs scaled by 1 - 1e-3 before the residual add (graded: residual-scaled)",
  "residual-scaled-1e-4": "every layer's attention and MLP outputs scaled by 1 - 1e-4 before the residual add (graded: residual-scaled)",
  "residual-scaled-1e-5": "every layer's attention and MLP outputs scaled by 1 - 1e-5 before the residual add (graded: residual-scaled)",
  "norm-epsilon-x1000": "RMSNorm/LayerNorm epsilon multiplied by 1000 (graded: norm-epsilon-scaled)",
  "norm-epsilon-x100": "RMSNorm/LayerNorm epsilon multiplied by 100 (graded: norm-epsilon-scaled)",
  "norm-epsilon-x10": "RMSNorm/LayerNorm epsilon multiplied by 10 (graded: norm-epsilon-scaled)",
  "norm-epsilon-x2": "RMSNorm/LayerNorm epsilon multiplied by 2 (graded: norm-epsilon-scaled)",
  "activation-constant-1e-2": "the MLP activation's constant moved by a factor 1 + 1e-2: silu as x sigmoid((1 + 1e-2) x), gelu_new with (1 + 1e-2) sqrt(2/pi) (graded: activation-constant)",
  "activation-constant-1e-3": "the MLP activation's constant moved by a factor 1 + 1e-3: silu as x sigmoid((1 + 1e-3) x), gelu_new with (1 + 1e-3) sqrt(2/pi) (graded: activation-constant)",
  "activation-constant-1e-4": "the MLP activation's constant moved by a factor 1 + 1e-4: silu as x sigmoid((1 + 1e-4) x), gelu_new with (1 + 1e-4) sqrt(2/pi) (graded: activation-constant)",
  "activation-constant-1e-5": "the MLP activation's constant moved by a factor 1 + 1e-5: silu as x sigmoid((1 + 1e-5) x), gelu_new with (1 + 1e-5) sqrt(2/pi) (graded: activation-constant)",
} as const;

/**
 * Graded faults: one kind of numeric deviation at several magnitudes, coarsest first. The
 * teeth report gives each claim's power: the finest magnitude of each kind it refutes.
 */
export const GRADED_FAULTS: Readonly<Record<string, { what: string; magnitudes: readonly (readonly [Fault, number])[] }>> = {
  "residual-scaled": {
    what: "e in x + (1 - e) f(x)",
    magnitudes: [
      ["residual-scaled-1e-2", 1e-2],
      ["residual-scaled-1e-3", 1e-3],
      ["residual-scaled-1e-4", 1e-4],
      ["residual-scaled-1e-5", 1e-5],
    ],
  },
  "norm-epsilon-scaled": {
    what: "k in epsilon x k",
    magnitudes: [
      ["norm-epsilon-x1000", 1000],
      ["norm-epsilon-x100", 100],
      ["norm-epsilon-x10", 10],
      ["norm-epsilon-x2", 2],
    ],
  },
  "activation-constant": {
    what: "e in sigmoid((1 + e) x) and (1 + e) sqrt(2/pi)",
    magnitudes: [
      ["activation-constant-1e-2", 1e-2],
      ["activation-constant-1e-3", 1e-3],
      ["activation-constant-1e-4", 1e-4],
      ["activation-constant-1e-5", 1e-5],
    ],
  },
};

export type Fault = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as Fault[];

export function parseFault(name: string | undefined): Fault | null {
  if (name === undefined) return null;
  if (!(name in FAULTS)) {
    throw new RefuteError("UNKNOWN_FAULT", `fault ${JSON.stringify(name)} is not in the catalogue: ${FAULT_NAMES.join(", ")}`, { found: name, expected: FAULT_NAMES });
  }
  return name as Fault;
}
