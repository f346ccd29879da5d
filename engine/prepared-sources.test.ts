// A kept preparation (engine/prepared-sources.ts) stands for a new one only where the new one
// would compute the same: hooks it does not read leave it served, a hook it reads gets a
// preparation of its own (and the kept one stays clean), a recording wrapper sees the same
// reads either way, and a model whose files change is prepared again.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordingHooks } from "../core/hook-reads.ts";
import { prepareSource } from "./convert.ts";
import { ZOO_DIR } from "./load.ts";
import type { EngineHooks } from "./hooks.ts";
import { preparedSource } from "./prepared-sources.ts";
import { sameSource } from "../runtimes/source-probes.ts";

/** Hooks of the forward pass only: no preparation reads them. */
const FORWARD: EngineHooks = { kernels: (base) => base, activation: () => (x) => x };

describe("prepared sources", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("serves the clean preparation again, to hooks that preparation does not read", () => {
    const first = preparedSource("tiny-llama", "gguf", "q8_0", {});
    expect(sameSource(first, prepareSource("tiny-llama", "gguf", "q8_0"))).toBe(true);
    expect(preparedSource("tiny-llama", "gguf", "q8_0", {})).toBe(first);
    expect(preparedSource("tiny-llama", "gguf", "q8_0", FORWARD)).toBe(first);
  });

  it("prepares anew for a hook the preparation reads, and keeps the clean one", () => {
    const clean = preparedSource("tiny-llama", "gguf", "f32", {});
    const skipped = preparedSource("tiny-llama", "gguf", "f32", { skipQkPermutation: true });
    expect(skipped === clean).toBe(false);
    expect(sameSource(skipped, clean)).toBe(false);
    expect(sameSource(skipped, prepareSource("tiny-llama", "gguf", "f32", { skipQkPermutation: true }))).toBe(true);
    expect(preparedSource("tiny-llama", "gguf", "f32", {})).toBe(clean);
  });

  it("reads the same hooks through a recording wrapper whether it prepares or serves", () => {
    const readsOf = () => {
      const reads: string[] = [];
      preparedSource("tiny-gpt2", "native", "q4_0", recordingHooks({}, (hook) => reads.push(hook)));
      return new Set(reads);
    };
    const preparing = readsOf();
    const serving = readsOf();
    expect(preparing).toContain("skipConv1dTranspose"); // GPT-2's Conv1D weights: the importer asks
    expect(serving).toEqual(preparing);
  });

  it("prepares a model again once one of its files changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "refute-prepared-"));
    dirs.push(dir);
    cpSync(join(ZOO_DIR, "tiny-qwen2"), dir, { recursive: true });
    const before = preparedSource(dir, "safetensors", "f32", {});
    expect(preparedSource(dir, "safetensors", "f32", {})).toBe(before);
    const config = join(dir, "config.json");
    const json = JSON.parse(readFileSync(config, "utf8"));
    writeFileSync(config, JSON.stringify({ ...json, rms_norm_eps: 1e-3 }));
    const after = preparedSource(dir, "safetensors", "f32", {});
    expect(after === before).toBe(false);
    expect(after.arch.normEps).toBe(1e-3);
  });
});
