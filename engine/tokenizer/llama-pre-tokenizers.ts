// The BPE pre-tokenizers llama.cpp knows, as data: each `tokenizer.ggml.pre` name mapped to the
// regexes llama.cpp splits text with, in order (src/llama-vocab.cpp, llm_tokenizer_bpe). Each
// regex splits every piece into its matches and the text between them, as a Hugging Face
// Split with behavior Isolated does, so a name becomes a tokenizer.json pre_tokenizer: a
// Sequence of those Splits, then the byte-level mapping. A name that is not here is refused,
// and so is a file without one: llama.cpp would fall back to a default that Hugging Face's
// tokenizer does not share, so it is never guessed.

const GPT2 = ["'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"];
const LLAMA3 = ["(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"];
const QWEN2 = ["(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"];
const QWEN35 = ["(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"];
const STARCODER = ["\\p{N}", ...GPT2];
// Written with escapes: an editor's Unicode normalization (U+1FD3 to U+0390) would put a range out of order.
const DEEPSEEK_LLM = [
  "[\r\n]",
  "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\u{10400}-\u{1044f}\u{104b0}-\u{104d3}\u{104d8}-\u{104fb}\u{10c80}-\u{10cb2}\u{10cc0}-\u{10cf2}\u{118a0}-\u{118df}\u{1e900}-\u{1e943}]+",
  "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
  "\\s+$",
  "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+",
  "\\p{N}+",
];
const DEEPSEEK_CODER = ["[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}"];
const DEEPSEEK_V3 = ["\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"];
const FALCON = ["[\\p{P}\\$\\+<=>\\^~\\|`]+", ...GPT2, "[0-9][0-9][0-9]"];
const BLOOM = [" ?[^(\\s|.,!?…。，、।۔،)]+"];
const CHATGLM4 = LLAMA3;

/**
 * llama.cpp's regexes by `tokenizer.ggml.pre` name (aliases share a list). The Llama 3 names
 * also ignore merges (a piece that is a token of the vocabulary is that token, as Hugging
 * Face's ignore_merges): llama.cpp sets it with them.
 */
export const LLAMA_PRE_TOKENIZERS: Readonly<Record<string, readonly string[]>> = {
  llama3: LLAMA3,
  "llama-v3": LLAMA3,
  "llama-bpe": LLAMA3,
  falcon3: LLAMA3,
  "falcon-h1": LLAMA3,
  pixtral: LLAMA3,
  dbrx: LLAMA3,
  "smaug-bpe": LLAMA3,
  "deepseek-llm": DEEPSEEK_LLM,
  "deepseek-coder": DEEPSEEK_CODER,
  "deepseek-v3": DEEPSEEK_V3,
  falcon: FALCON,
  mpt: GPT2,
  "gpt-2": GPT2,
  "phi-2": GPT2,
  olmo: GPT2,
  jais: GPT2,
  exaone4: GPT2,
  starcoder: STARCODER,
  refact: STARCODER,
  "command-r": STARCODER,
  smollm: STARCODER,
  codeshell: STARCODER,
  exaone: STARCODER,
  qwen2: QWEN2,
  "deepseek-r1-qwen": QWEN2,
  stablelm2: QWEN2,
  megrez: QWEN2,
  qwen35: QWEN35,
  "poro-chat": BLOOM,
  bloom: BLOOM,
  "gpt3-finnish": BLOOM,
  viking: [...BLOOM, "\\p{N}"],
  glm4: CHATGLM4,
  "chatglm-bpe": CHATGLM4,
};

const IGNORE_MERGES = new Set(["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral"]);

/** Names whose vocabulary adds a BOS token by default (llama.cpp sets add_bos with them; the GGUF's add_bos_token overrides). */
export const LLAMA_ADD_BOS_BY_DEFAULT: ReadonlySet<string> = new Set([...IGNORE_MERGES, "tekken", "chameleon"]);

/** The tokenizer.json pre_tokenizer of a llama.cpp pre-tokenizer name, and whether its BPE ignores merges; null for a name not known. */
export function llamaPreTokenizer(name: string): { json: unknown; ignoreMerges: boolean } | null {
  const regexes = Object.hasOwn(LLAMA_PRE_TOKENIZERS, name) ? LLAMA_PRE_TOKENIZERS[name] : null;
  if (!regexes) return null;
  return {
    json: {
      type: "Sequence",
      pretokenizers: [...regexes.map((Regex) => ({ type: "Split", pattern: { Regex }, behavior: "Isolated", invert: false })), { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }],
    },
    ignoreMerges: IGNORE_MERGES.has(name),
  };
}
