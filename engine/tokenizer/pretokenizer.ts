// Pre-tokenizers of tokenizer.json as data -> a function splitting text into pieces that BPE
// then encodes one by one. Supported: ByteLevel (GPT-2's regex), Digits, Split (regex or
// string, behaviour "Isolated"), Metaspace and Sequence: the ones GPT-2, SmolLM, Qwen2 and the
// SentencePiece-style tokenizers (Mistral, Llama 2 converted with legacy=false) use.

import { RefuteError } from "../../core/errors.ts";
import { GPT2_PATTERN, hfRegex } from "./hf-regex.ts";

/** `atInputStart`: the pieces start the input (not text after an added token). */
export type PreTokenize = (pieces: string[], atInputStart: boolean) => string[];

/** Isolated splitting: every match is a piece, and so is every non-empty gap between matches. */
export function splitIsolated(text: string, pattern: RegExp): string[] {
  const pieces: string[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0].length === 0) continue;
    if (m.index > last) pieces.push(text.slice(last, m.index));
    pieces.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function unsupported(what: string, config: unknown): never {
  throw new RefuteError("TOKENIZER_UNSUPPORTED", `tokenizer.json: pre_tokenizer ${what} is not supported`, { field: "pre_tokenizer", found: config });
}

function byteLevel(config: Record<string, unknown>): PreTokenize {
  const pattern = config.use_regex === false ? null : hfRegex(GPT2_PATTERN);
  const prefix = config.add_prefix_space === true;
  return (pieces) =>
    pieces.flatMap((p, i) => {
      const text = prefix && i === 0 && !p.startsWith(" ") ? ` ${p}` : p;
      return pattern ? splitIsolated(text, pattern) : [text];
    });
}

function split(config: Record<string, unknown>): PreTokenize {
  if (config.behavior !== "Isolated" || config.invert === true) unsupported(`Split with behavior ${JSON.stringify(config.behavior)}`, config);
  const source = config.pattern as { Regex?: string; String?: string } | undefined;
  if (typeof source?.Regex === "string") {
    const re = hfRegex(source.Regex);
    return (pieces) => pieces.flatMap((p) => splitIsolated(p, re));
  }
  if (typeof source?.String === "string") {
    const re = new RegExp(escapeRegex(source.String), "gu");
    return (pieces) => pieces.flatMap((p) => splitIsolated(p, re));
  }
  return unsupported("Split without a pattern", config);
}

/** Where a Metaspace split starts a new piece: before each replacement character but one at the start ("MergedWithNext"). */
function splitBefore(text: string, mark: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = text.indexOf(mark, 1); i > 0; i = text.indexOf(mark, i + mark.length)) {
    pieces.push(text.slice(start, i));
    start = i;
  }
  pieces.push(text.slice(start));
  return pieces.filter((p) => p.length > 0);
}

/**
 * Spaces become the replacement ("▁"), one is put before the text (prepend_scheme "always";
 * "first": only where the text starts the input; the older add_prefix_space true is "always"),
 * and with split the text is cut before each replacement.
 */
function metaspace(config: Record<string, unknown>): PreTokenize {
  const mark = config.replacement;
  if (typeof mark !== "string" || mark.length === 0) unsupported("Metaspace without a replacement", config);
  const scheme = typeof config.prepend_scheme === "string" ? config.prepend_scheme : config.add_prefix_space === false ? "never" : "always";
  if (!["always", "first", "never"].includes(scheme)) unsupported(`Metaspace with prepend_scheme ${JSON.stringify(scheme)}`, config);
  const split = config.split !== false;
  return (pieces, atInputStart) =>
    pieces.flatMap((p, i) => {
      const escaped = p.split(" ").join(mark);
      const prepend = !escaped.startsWith(mark) && (scheme === "always" || (scheme === "first" && atInputStart && i === 0));
      const text = prepend ? mark + escaped : escaped;
      return split ? splitBefore(text, mark) : [text];
    });
}

/** How deep Sequences may nest: the tokenizers Hugging Face ships use one level. */
export const MAX_PRETOKENIZER_DEPTH = 16;

export function buildPreTokenizer(config: unknown, depth = 0): PreTokenize {
  if (config === null || config === undefined) return (pieces) => pieces;
  if (depth > MAX_PRETOKENIZER_DEPTH) throw new RefuteError("TOKENIZER_TOO_DEEP", `tokenizer.json: pre_tokenizer Sequences nest more than ${MAX_PRETOKENIZER_DEPTH} deep`, { field: "pre_tokenizer" });
  if (typeof config !== "object") return unsupported(JSON.stringify(config), config);
  const c = config as Record<string, unknown>;
  switch (c.type) {
    case "ByteLevel":
      return byteLevel(c);
    case "Digits": {
      const re = c.individual_digits === true ? /\p{N}/gu : /\p{N}+/gu;
      return (pieces) => pieces.flatMap((p) => splitIsolated(p, re));
    }
    case "Split":
      return split(c);
    case "Metaspace":
      return metaspace(c);
    case "Sequence": {
      if (!Array.isArray(c.pretokenizers)) return unsupported("Sequence without pretokenizers", c);
      const steps = c.pretokenizers.map((p) => buildPreTokenizer(p, depth + 1));
      return (pieces, atInputStart) => steps.reduce((acc, step) => step(acc, atInputStart), pieces);
    }
    default:
      return unsupported(`type ${JSON.stringify(c.type)}`, c);
  }
}
