// refute list: the zoo's models with their files checked against the manifest's sha256, and
// the model files cached under models/cache/; a missing or changed zoo file makes it fail.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listModels, run } from "./list.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A models/ directory with one zoo model of one file and one cached GGUF. */
function modelsDir(): string {
  const models = mkdtempSync(join(tmpdir(), "refute-list-"));
  dirs.push(models);
  mkdirSync(join(models, "zoo", "m"), { recursive: true });
  mkdirSync(join(models, "cache", "gguf"), { recursive: true });
  writeFileSync(join(models, "zoo", "m", "w.bin"), "weights");
  writeFileSync(join(models, "cache", "gguf", "m-q8_0.gguf"), "GGUF....");
  const sha256 = createHash("sha256").update("weights").digest("hex");
  writeFileSync(join(models, "zoo", "manifest.json"), JSON.stringify({ models: ["m"], files: { "m/w.bin": { sha256, bytes: 7 } } }));
  return models;
}

describe("refute list", () => {
  it("lists the zoo model verified with its bytes, and the cached file", () => {
    const models = modelsDir();
    expect(listModels(models)).toEqual([
      { name: "m", source: "zoo", path: "zoo/m", files: 1, bytes: 7, verified: true, problems: [] },
      { name: "m-q8_0", source: "cache", path: "cache/gguf/m-q8_0.gguf", files: 1, bytes: 8, verified: null, problems: [] },
    ]);
  });

  it("names a changed and a missing zoo file", () => {
    const models = modelsDir();
    writeFileSync(join(models, "zoo", "m", "w.bin"), "weightz");
    expect(listModels(models)[0]).toMatchObject({ verified: false, problems: ["m/w.bin: sha256 differs from the manifest's"] });
    rmSync(join(models, "zoo", "m", "w.bin"));
    expect(listModels(models)[0]).toMatchObject({ verified: false, bytes: 0, problems: ["m/w.bin: missing"] });
  });

  it("on this checkout: every zoo model of the manifest verified, exit 0, one JSON document", async () => {
    const out: string[] = [];
    expect(await run(["--json"], { out: (t) => out.push(t), err: () => {} })).toBe(0);
    const { models } = JSON.parse(out.join("")) as { models: { name: string; source: string; verified: boolean | null }[] };
    expect(models.filter((m) => m.source === "zoo").map((m) => m.name)).toContain("tiny-llama-spm");
    expect(models.filter((m) => m.source === "zoo").every((m) => m.verified)).toBe(true);
  });
});
