// The GGUF a file-reading runtime runs for a subject: the engine's export, made once per
// process and named by its bytes, and made again when the cached file has gone.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGguf } from "../engine/formats/gguf/read.ts";
import { ggufFor } from "./model-file.ts";

const subject = { model: "tiny-llama", format: "gguf", quant: "q8_0" } as const;

describe("ggufFor", () => {
  it("exports the zoo model once, names the file by its bytes, and exports again when the file was removed", () => {
    const cache = mkdtempSync(join(tmpdir(), "refute-gguf-cache-"));
    try {
      const first = ggufFor(subject, cache);
      expect(first).toMatch(/tiny-llama-q8_0-[0-9a-f]{16}\.gguf$/);
      const bytes = readFileSync(first);
      expect(readGguf(bytes).metadata.get("general.architecture")).toEqual({ type: "string", value: "llama" });
      expect(ggufFor(subject, cache)).toBe(first);
      rmSync(first);
      expect(ggufFor(subject, cache)).toBe(first);
      expect(existsSync(first)).toBe(true);
      expect(readFileSync(first).equals(bytes)).toBe(true);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
