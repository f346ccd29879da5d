// llama.cpp's vocabulary test files, from the source node-llama-cpp ships
// (node_modules/node-llama-cpp/llama/gitRelease.bundle, a git bundle): every
// models/ggml-vocab-<name>.gguf with its .gguf.inp (strings separated by
// "\n__ggml_vocab_test__\n") and .gguf.out (one line of ids per string, from Hugging Face's
// AutoTokenizer), and the chat templates of models/templates/. Extracted once into
// models/cache/llama-vocab/ (git-ignored), not committed. Claims name a vocabulary as a model,
// llama-vocab:<name> (the GGUF file is its path); where the bundle is missing they are blocked.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RefuteError } from "./errors.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE = join(ROOT, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
const CACHE = join(ROOT, "models", "cache", "llama-vocab");
export const LLAMA_VOCAB_PREFIX = "llama-vocab:";

export interface Vocabulary {
  name: string;
  gguf: string; // path
  cases: { text: string; ids: number[] }[] | null; // null: the bundle has no test vectors for it
}

/** The commit the bundle's HEAD names (the llama.cpp source node-llama-cpp was built from). */
export function bundleHead(): string {
  return execFileSync("git", ["bundle", "list-heads", BUNDLE], { encoding: "utf8" }).split(" ")[0];
}

let extractedDir: string | null = null;

/** The cache directory holding the bundle's vocabularies, extracted when it is not there yet; found once per process (every tokenize of a llama-vocab subject names its file). */
function extracted(): string {
  if (extractedDir !== null && existsSync(join(extractedDir, ".complete"))) return extractedDir;
  extractedDir = extractOnce();
  return extractedDir;
}

function extractOnce(): string {
  if (!existsSync(BUNDLE)) throw new RefuteError("FILE_NOT_FOUND", `${BUNDLE}: node-llama-cpp's llama.cpp source bundle is missing (pnpm install brings it), so llama.cpp's vocabularies are not available`, { file: BUNDLE });
  const head = bundleHead();
  const dir = join(CACHE, head.slice(0, 12));
  if (existsSync(join(dir, ".complete"))) return dir;
  const clone = mkdtempSync(join(tmpdir(), "refute-llama-bundle-"));
  try {
    execFileSync("git", ["clone", "-q", "--no-checkout", BUNDLE, clone]);
    const list = (path: string) => execFileSync("git", ["-C", clone, "ls-tree", "--name-only", "HEAD", path], { encoding: "utf8" }).split("\n");
    const names = [...list("models/").filter((n) => /^models\/ggml-vocab-.*\.gguf(\.inp|\.out)?$/.test(n)), ...list("models/templates/").filter((n) => n.endsWith(".jinja"))];
    const staging = `${dir}.${process.pid}`;
    mkdirSync(join(staging, "templates"), { recursive: true });
    for (const name of names) writeFileSync(join(staging, name.slice("models/".length)), execFileSync("git", ["-C", clone, "show", `HEAD:${name}`], { maxBuffer: 1 << 28 }));
    writeFileSync(join(staging, ".complete"), `${names.length}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
  return dir;
}

const SEPARATOR = "\n__ggml_vocab_test__\n";

/** A chat template of the bundle's models/templates/, by its file name without .jinja. */
export function llamaTemplate(name: string): string {
  return readFileSync(join(extracted(), "templates", `${name}.jinja`), "utf8");
}

const vocabulariesIn = new Map<string, Vocabulary[]>();

/** Every vocabulary of the bundle with its test vectors, read once per process. */
export function llamaVocabularies(): Vocabulary[] {
  const dir = extracted();
  let found = vocabulariesIn.get(dir);
  if (!found) {
    found = readVocabularies(dir);
    vocabulariesIn.set(dir, found);
  }
  return found;
}

function readVocabularies(dir: string): Vocabulary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".gguf"))
    .sort()
    .map((f) => {
      const gguf = join(dir, f);
      const name = f.slice("ggml-vocab-".length, -".gguf".length);
      if (!existsSync(`${gguf}.inp`)) return { name, gguf, cases: null };
      const texts = readFileSync(`${gguf}.inp`, "utf8").split(SEPARATOR);
      const lines = readFileSync(`${gguf}.out`, "utf8").split("\n");
      return { name, gguf, cases: texts.map((text, i) => ({ text: i === texts.length - 1 ? text.replace(/\n$/, "") : text, ids: (lines[i] ?? "").trim().split(/\s+/).filter(Boolean).map(Number) })) };
    });
}

/** Whether a model name is one of llama.cpp's vocabularies (llama-vocab:<name>). */
export function isLlamaVocabulary(model: string): boolean {
  return model.startsWith(LLAMA_VOCAB_PREFIX);
}

/** The vocabulary llama-vocab:<name> names, its file extracted; FILE_NOT_FOUND when the bundle lacks it. */
export function llamaVocabulary(model: string): Vocabulary {
  const name = model.slice(LLAMA_VOCAB_PREFIX.length);
  const found = llamaVocabularies().find((v) => v.name === name);
  if (!found) throw new RefuteError("FILE_NOT_FOUND", `${model}: llama.cpp's source has no vocabulary ggml-vocab-${name}.gguf (it has ${llamaVocabularies().map((v) => v.name).join(", ")})`, { model });
  return found;
}
