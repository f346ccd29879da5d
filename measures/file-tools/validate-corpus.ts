// validate on the committed corpus of damaged files (test/hostile/corpus/, its index
// corpus.json: each file's damage and the code refute gives it): every damaged file of the
// subject's format is refused, its clean twin accepted. Where the tool reports codes and they
// are refute's (the embedded tools, or a tool configured to print them), the expected code is
// among them; a foreign tool's own codes are not compared, and the summary says so.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolCommandError } from "../../runtimes/runtime.ts";
import { BlockedError } from "../../runtimes/runtime.ts";
import type { FileToolProbe } from "./probe.ts";

const CORPUS = fileURLToPath(new URL("../../test/hostile/corpus/", import.meta.url));
const PREFIX: Record<string, string> = { safetensors: "safetensors-", native: "rft-", gguf: "gguf-" };

interface CorpusEntry {
  file: string;
  damage: string;
  code: string;
}

export const validateCorpus: FileToolProbe = async (tools, subject) => {
  const prefix = PREFIX[subject.format];
  if (!prefix) throw new BlockedError(`the corpus has safetensors, native and gguf files, not ${subject.format}`);
  const entries = (JSON.parse(readFileSync(join(CORPUS, "corpus.json"), "utf8")) as { entries: CorpusEntry[] }).entries.filter((e) => e.file.startsWith(prefix));
  const violations: string[] = [];
  const notes: string[] = [];
  for (const entry of entries) {
    const path = join(CORPUS, entry.file);
    let valid: boolean;
    let codes: string[] | null = null;
    try {
      ({ valid, codes } = await tools.validate(path));
    } catch (e) {
      if (!(e instanceof ToolCommandError)) throw e;
      // a tool that exits with an error on a damaged file refuses it too, without a code
      valid = false;
      notes.push(`${entry.file}: ${e.message}`);
    }
    if (entry.code === "OK") {
      if (!valid) violations.push(`${entry.file} (${entry.damage}) refused${codes?.length ? `: ${codes.join(", ")}` : ""}`);
    } else if (valid) violations.push(`${entry.file} (${entry.damage}) accepted; expected a refusal (${entry.code})`);
    else if (codes !== null && codes.length > 0 && codes.some((c) => /^[A-Z][A-Z0-9_]+$/.test(c)) && !codes.includes(entry.code)) {
      violations.push(`${entry.file} (${entry.damage}) refused with ${codes.join(", ")}; expected ${entry.code}`);
    }
  }
  return { checked: entries.length, violations };
};
