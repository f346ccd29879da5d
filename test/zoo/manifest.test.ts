// Hashes: every file in models/zoo/manifest.json has the recorded sha256 and size, every file
// of a zoo model folder is in the manifest, and every oracle file's weights_sha256 (and the
// tokenizer vectors' tokenizer_sha256) names the committed files as they are now, so an
// oracle can never silently describe other weights.

import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ZOO_SLUGS, promptsOf, readJson, repoPath } from "./paths.ts";

interface Manifest {
  models: string[];
  files: Record<string, { sha256: string; bytes: number }>;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const manifest = readJson<Manifest>("models/zoo/manifest.json");

describe("models/zoo/manifest.json", () => {
  it("lists the zoo models and every file in their folders", () => {
    expect(manifest.models).toEqual(ZOO_SLUGS);
    const onDisk = ZOO_SLUGS.flatMap((slug) =>
      readdirSync(repoPath(`models/zoo/${slug}`)).map((f) => `${slug}/${f}`),
    ).sort();
    expect(Object.keys(manifest.files).sort()).toEqual(onDisk);
  });

  it.each(Object.keys(manifest.files))("%s has its recorded sha256 and size", (file) => {
    const path = repoPath(join("models/zoo", file));
    expect(statSync(path).size).toBe(manifest.files[file].bytes);
    expect(sha256(path)).toBe(manifest.files[file].sha256);
  });
});

describe.each(ZOO_SLUGS)("%s oracle files name the committed weights", (slug) => {
  const check = (weights: Record<string, string>) => {
    for (const [file, hash] of Object.entries(weights)) {
      expect(manifest.files[`${slug}/${file}`]?.sha256, `${slug}/${file}`).toBe(hash);
    }
    const inManifest = Object.keys(manifest.files).filter((f) => f.startsWith(`${slug}/`) && f.endsWith(".safetensors"));
    expect(Object.keys(weights).map((f) => `${slug}/${f}`).sort()).toEqual(inManifest.sort());
  };

  it.each(promptsOf(slug))("greedy %s", (prompt) => {
    check(readJson<{ weights_sha256: Record<string, string> }>(`oracle/${slug}/${prompt}.json`).weights_sha256);
  });

  it.each([`${slug}.json`, `${slug}.shuffled.json`])("perplexity %s", (file) => {
    check(readJson<{ weights_sha256: Record<string, string> }>(`oracle/ppl/${file}`).weights_sha256);
  });

  it("tokenizer vectors", () => {
    const v = readJson<{ tokenizer_file: string; tokenizer_sha256: string }>(`oracle/tokenizer/${slug}.json`);
    expect(sha256(repoPath(v.tokenizer_file))).toBe(v.tokenizer_sha256);
  });
});
