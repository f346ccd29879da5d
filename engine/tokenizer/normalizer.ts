// tokenizer.json normalizers as data -> a function over the text between added tokens, applied
// before pre-tokenization. Supported: the ones SentencePiece-style BPE tokenizers use (Llama 2
// and TinyLlama: Sequence[Prepend "▁", Replace " " -> "▁"]; Gemma: Replace) and the Unicode
// normalization forms; anything else is refused, never ignored.

import { RefuteError } from "../../core/errors.ts";
import { hfRegex } from "./hf-regex.ts";

export type Normalize = (text: string) => string;

/** How deep Sequences may nest: the tokenizers Hugging Face ships use one level. */
const MAX_NORMALIZER_DEPTH = 16;

function unsupported(what: string, config: unknown): never {
  throw new RefuteError("TOKENIZER_UNSUPPORTED", `tokenizer.json: normalizer ${what} is not supported`, { field: "normalizer", found: config });
}

function replace(c: Record<string, unknown>): Normalize {
  const pattern = c.pattern as { String?: unknown; Regex?: unknown } | undefined;
  if (typeof c.content !== "string") return unsupported("Replace without a string content", c);
  const content = c.content;
  if (typeof pattern?.String === "string") {
    const from = pattern.String;
    if (from === "") return unsupported("Replace of an empty string", c);
    return (text) => text.split(from).join(content);
  }
  if (typeof pattern?.Regex === "string") {
    const re = hfRegex(pattern.Regex);
    return (text) => text.replace(re, () => content);
  }
  return unsupported("Replace without a pattern", c);
}

export function buildNormalizer(config: unknown, depth = 0): Normalize {
  if (config === null || config === undefined) return (text) => text;
  if (depth > MAX_NORMALIZER_DEPTH) throw new RefuteError("TOKENIZER_TOO_DEEP", `tokenizer.json: normalizer Sequences nest more than ${MAX_NORMALIZER_DEPTH} deep`, { field: "normalizer" });
  if (typeof config !== "object") return unsupported(JSON.stringify(config), config);
  const c = config as Record<string, unknown>;
  switch (c.type) {
    case "Prepend": {
      if (typeof c.prepend !== "string") return unsupported("Prepend without a string", c);
      const prefix = c.prepend;
      // Hugging Face prepends to a non-empty text only
      return (text) => (text ? prefix + text : text);
    }
    case "Replace":
      return replace(c);
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = c.type;
      return (text) => text.normalize(form);
    }
    case "Sequence": {
      if (!Array.isArray(c.normalizers)) return unsupported("Sequence without normalizers", c);
      const steps = c.normalizers.map((n) => buildNormalizer(n, depth + 1));
      return (text) => steps.reduce((acc, step) => step(acc), text);
    }
    default:
      return unsupported(`type ${JSON.stringify(c.type)}`, c);
  }
}
