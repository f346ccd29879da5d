// The text of token ids, for people reading a token diff in a report or a ticket: each id
// as the model's tokenizer.json spells it, decoded on its own (byte-level BPE pieces mapped
// back to their bytes, then UTF-8; a piece that is part of a character shows its bytes as
// \xNN). Read from the model's own file, not asked of the subject: the subject's tokenizer is
// among what is under test, and a diff is read against the model's vocabulary.
//
// Only Hugging Face directories (and zoo models) have a tokenizer.json; other models' tokens
// are shown as ids alone. The file is bounded (MAX_TOKENIZER_BYTES): it is untrusted input.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { modelLocation, type SubjectSpec } from "../core/subject.ts";
import type { Evidence } from "../measures/measure.ts";

const ZOO_DIR = fileURLToPath(new URL("../models/zoo/", import.meta.url));
const MAX_TOKENIZER_BYTES = 64 << 20;

/** GPT-2's byte-to-unicode table inverted: the byte each printable stand-in character is. */
const UNICODE_TO_BYTE: Map<string, number> = (() => {
  const bytes: number[] = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const chars = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n++);
    }
  }
  return new Map(bytes.map((b, i) => [String.fromCodePoint(chars[i]), b]));
})();

/** The piece's bytes as text: valid UTF-8 as characters, the rest as \xNN. */
function bytesToText(bytes: number[]): string {
  const text = Buffer.from(bytes).toString("utf8");
  if (!text.includes("\uFFFD")) return text;
  return bytes.map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
}

/** id -> piece of a tokenizer.json (its model's vocab and its added tokens), byte-level decoded. */
export function vocabularyTexts(tokenizerJson: unknown): Map<number, string> {
  const doc = tokenizerJson as { model?: { vocab?: Record<string, number> }; added_tokens?: { id: number; content: string }[] };
  const texts = new Map<number, string>();
  for (const [piece, id] of Object.entries(doc.model?.vocab ?? {})) {
    const bytes = [...piece].map((c) => UNICODE_TO_BYTE.get(c));
    texts.set(id, bytes.every((b) => b !== undefined) ? bytesToText(bytes as number[]) : piece);
  }
  for (const t of doc.added_tokens ?? []) texts.set(t.id, t.content);
  return texts;
}

/** The tokenizer.json of a subject's model, when it has one (a zoo model or an HF directory). */
function tokenizerFile(subject: Pick<SubjectSpec, "model" | "path">): string | null {
  const dir = subject.path ?? join(ZOO_DIR, modelLocation(subject));
  const file = join(dir, "tokenizer.json");
  if (!existsSync(file) || statSync(file).size > MAX_TOKENIZER_BYTES) return null;
  return file;
}

/** Every token id the evidence's divergences name (both sequences and the top-k), with its text. */
export function evidenceTokenTexts(evidence: Evidence, subject: Pick<SubjectSpec, "model" | "path">): Record<string, string> | null {
  const ids = new Set<number>();
  for (const d of evidence.divergences ?? []) for (const id of [...d.expectedTokens, ...d.observedTokens, ...d.referenceTopK.map((e) => e.token)]) ids.add(id);
  if (ids.size === 0) return null;
  const file = tokenizerFile(subject);
  if (!file) return null;
  let texts: Map<number, string>;
  try {
    texts = vocabularyTexts(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return null; // an unreadable tokenizer.json leaves the ids alone; the check itself says what failed
  }
  const out: Record<string, string> = {};
  for (const id of [...ids].sort((a, b) => a - b)) if (texts.has(id)) out[id] = texts.get(id)!;
  return out;
}
