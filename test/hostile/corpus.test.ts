// The committed corpus of corrupted files: each gives its stable error code through the same
// path `refute validate` takes (open, then contract, NaN/Inf and all-zero checks), and the
// clean twins validate. Never a crash, a hang or a huge allocation.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { contractFindings } from "../../engine/contract-gate.ts";
import { openSource } from "../../engine/open.ts";
import { run as validateCommand } from "../../cli/validate.ts";

const CORPUS = join(import.meta.dirname, "corpus");
const index = JSON.parse(readFileSync(join(CORPUS, "corpus.json"), "utf8")) as { entries: { file: string; damage: string; code: string }[] };

function codesOf(path: string): string[] {
  try {
    return contractFindings(openSource(path)).filter((f) => f.severity === "error").map((f) => f.code);
  } catch (e) {
    if (isRefuteError(e)) return [e.code];
    throw e;
  }
}

describe("corrupted-file corpus", () => {
  it("covers truncation, magic, giant lengths and counts, offsets, NaN/Inf and all-zero tensors", () => {
    const codes = new Set(index.entries.map((e) => e.code));
    for (const code of ["SAFETENSORS_HEADER_TOO_LARGE", "SAFETENSORS_OVERLAP", "SAFETENSORS_OFFSET_OUT_OF_RANGE", "GGUF_BAD_MAGIC", "GGUF_TRUNCATED", "GGUF_COUNT_TOO_LARGE", "GGUF_STRING_TOO_LONG", "GGUF_MISALIGNED", "TENSOR_NAN", "TENSOR_INF", "TENSOR_ALL_ZERO", "NATIVE_BAD_MAGIC", "NATIVE_CHECKSUM_MISMATCH"]) {
      expect(codes).toContain(code);
    }
  });

  it.each(index.entries.map((e) => [e.file, e.damage, e.code]))("%s (%s) gives %s", (file, _damage, code) => {
    const codes = codesOf(join(CORPUS, file));
    if (code === "OK") expect(codes).toEqual([]);
    else expect(codes).toContain(code);
  });

  it("refute validate exits 1 on a damaged file and 0 on its clean twin", async () => {
    const log = console.log;
    console.log = () => {};
    try {
      expect(await validateCommand([join(CORPUS, "gguf-misaligned-offset.gguf")])).toBe(1);
      expect(await validateCommand([join(CORPUS, "safetensors-nan")])).toBe(1);
      expect(await validateCommand([join(CORPUS, "gguf-clean.gguf")])).toBe(0);
    } finally {
      console.log = log;
    }
  });
});
