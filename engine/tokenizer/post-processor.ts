// The special tokens a tokenizer puts around an encoded text (Hugging Face's post-processor:
// add_special_tokens=True; llama.cpp's add_bos / add_eos / add_sep): TemplateProcessing's
// single template (specials before and after the sequence "A"), BertProcessing and
// RobertaProcessing ([CLS] A [SEP]), ByteLevel (none: it only moves offsets), and Sequences of
// them. Anything else is refused, never ignored.

import { RefuteError } from "../../core/errors.ts";

export interface Specials {
  prefix: number[]; // ids before the text (BOS, CLS)
  suffix: number[]; // ids after it (EOS, SEP)
}

export const NO_SPECIALS: Specials = { prefix: [], suffix: [] };

function unsupported(what: string, config: unknown): never {
  throw new RefuteError("TOKENIZER_UNSUPPORTED", `tokenizer.json: post_processor ${what} is not supported`, { field: "post_processor", found: config });
}

function pairId(v: unknown, field: string, config: unknown): number {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "string" || !Number.isSafeInteger(v[1]) || v[1] < 0) unsupported(`${field} other than [token, id]`, config);
  return v[1] as number;
}

/** TemplateProcessing's single template: each SpecialToken's ids, before or after Sequence A. */
function template(c: Record<string, unknown>): Specials {
  if (!Array.isArray(c.single) || c.single.length > 64) unsupported("TemplateProcessing without a short single template", c);
  const table = (c.special_tokens ?? {}) as Record<string, { ids?: unknown }>;
  const out: Specials = { prefix: [], suffix: [] };
  let seenSequence = false;
  for (const piece of c.single as Record<string, unknown>[]) {
    if (piece && typeof piece === "object" && "Sequence" in piece) {
      if (seenSequence) unsupported("TemplateProcessing with two sequences in its single template", c);
      seenSequence = true;
      continue;
    }
    const name = (piece?.SpecialToken as { id?: unknown } | undefined)?.id;
    const ids = typeof name === "string" && Object.hasOwn(table, name) ? table[name].ids : undefined;
    if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id >= 0)) unsupported(`TemplateProcessing special token ${JSON.stringify(name)} without ids in special_tokens`, c);
    (seenSequence ? out.suffix : out.prefix).push(...(ids as number[]));
  }
  if (!seenSequence) unsupported("TemplateProcessing without the sequence", c);
  return out;
}

export function specialsOf(config: unknown, depth = 0): Specials {
  if (config === null || config === undefined) return NO_SPECIALS;
  if (typeof config !== "object" || depth > 4) unsupported(JSON.stringify(config), config);
  const c = config as Record<string, unknown>;
  switch (c.type) {
    case "ByteLevel":
      return NO_SPECIALS;
    case "TemplateProcessing":
      return template(c);
    case "BertProcessing":
    case "RobertaProcessing":
      return { prefix: [pairId(c.cls, "cls", c)], suffix: [pairId(c.sep, "sep", c)] };
    case "Sequence": {
      if (!Array.isArray(c.processors)) unsupported("Sequence without processors", c);
      const parts = c.processors.map((p) => specialsOf(p, depth + 1));
      return { prefix: parts.flatMap((p) => p.prefix), suffix: parts.flatMap((p) => p.suffix) };
    }
    default:
      return unsupported(`type ${JSON.stringify(c.type)}`, c);
  }
}
