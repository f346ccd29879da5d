// tokenizer.json decoders as data -> how a token becomes bytes and what is done to the whole
// text. Supported: ByteLevel (GPT-2's byte alphabet), and the SentencePiece-style chains:
// Metaspace, or Sequence[Replace "▁" -> " ", ByteFallback, Fuse, Strip " " from the start]
// (Llama 2, TinyLlama). Anything else is refused, never ignored.

import { RefuteError } from "../../core/errors.ts";
import { byteOfToken } from "./byte-fallback.ts";

export interface DecoderSpec {
  byteLevel: boolean;
  /** "<0xNN>" tokens are bytes (ByteFallback); without it they decode as their own text. */
  byteFallback: boolean;
  /** A Fuse step came before: a Strip applies to the whole text, not to each token. */
  fused: boolean;
  /** The character written for a space ("▁"), turned back into one; null where none is. */
  spaceMark: string | null;
  /** Leading spaces removed from the decoded text (the prefix space SentencePiece put there). */
  stripLeading: number;
}

function unsupported(what: string, config: unknown): never {
  throw new RefuteError("TOKENIZER_UNSUPPORTED", `tokenizer.json: decoder ${what} is not supported`, { field: "decoder", found: config });
}

function step(c: Record<string, unknown>, spec: DecoderSpec): void {
  switch (c.type) {
    case "ByteLevel":
      spec.byteLevel = true;
      return;
    case "Metaspace": {
      if (typeof c.replacement !== "string") unsupported("Metaspace without a replacement", c);
      spec.spaceMark = c.replacement;
      const scheme = typeof c.prepend_scheme === "string" ? c.prepend_scheme : c.add_prefix_space === false ? "never" : "always";
      if (scheme !== "never") spec.stripLeading = 1;
      return;
    }
    case "Replace": {
      const from = (c.pattern as { String?: unknown } | undefined)?.String;
      if (typeof from !== "string" || c.content !== " ") unsupported("Replace other than of a string by a space", c);
      spec.spaceMark = from;
      return;
    }
    case "ByteFallback":
      spec.byteFallback = true;
      return;
    case "Fuse":
      spec.fused = true;
      return;
    case "Strip": {
      if (c.content !== " " || c.stop !== 0 || !Number.isSafeInteger(c.start) || (c.start as number) < 0 || (c.start as number) > 16) unsupported("Strip other than of leading spaces", c);
      if (!spec.fused) unsupported("Strip of each token (no Fuse before it)", c);
      spec.stripLeading = c.start as number;
      return;
    }
    default:
      unsupported(`type ${JSON.stringify(c.type)}`, c);
  }
}

export function decoderSpec(config: unknown): DecoderSpec {
  const spec: DecoderSpec = { byteLevel: false, byteFallback: false, fused: false, spaceMark: null, stripLeading: 0 };
  if (config === null || config === undefined) return spec;
  if (typeof config !== "object") unsupported(JSON.stringify(config), config);
  const c = config as Record<string, unknown>;
  if (c.type !== "Sequence") {
    step(c, spec);
    return spec;
  }
  if (!Array.isArray(c.decoders) || c.decoders.length > 16) unsupported("Sequence without a short list of decoders", c);
  for (const d of c.decoders) {
    if (d === null || typeof d !== "object" || (d as Record<string, unknown>).type === "Sequence") unsupported("Sequence of non-objects or nested Sequences", d);
    step(d as Record<string, unknown>, spec);
  }
  return spec;
}

// ignoreBOM: a U+FEFF the tokens spell is text (Rust's from_utf8, which the tokenizers use, keeps it)
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The text of SentencePiece-style BPE tokens, as Hugging Face's decoders give it: the space
 * mark back to a space; with ByteFallback each run of "<0xNN>" tokens is its UTF-8 text, or
 * one U+FFFD per token where the run's bytes are not valid UTF-8.
 */
export function decodeCharacterTokens(spec: DecoderSpec, tokens: readonly string[]): string {
  let text = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length === 0) return;
    try {
      text += decoder.decode(new Uint8Array(bytes));
    } catch {
      text += "\uFFFD".repeat(bytes.length);
    }
    bytes = [];
  };
  for (const token of tokens) {
    const byte = spec.byteFallback ? byteOfToken(token) : null;
    if (byte !== null) {
      bytes.push(byte);
      continue;
    }
    flush();
    text += spec.spaceMark ? token.split(spec.spaceMark).join(" ") : token;
  }
  flush();
  return text;
}
