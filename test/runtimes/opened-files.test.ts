// A model file the engine runs as it is is opened once per process into a backend of its own
// and shared by the runtimes that run it (runtimes/opened-files.ts): the same opened source for
// each, opened again once the file changed, never kept when it cannot be opened, closed when
// idle past the budget but never while a runtime holds it; and a fault in one runtime's model
// over the shared file does not reach another's.

import { copyFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { acquireOpenedFile, openedFileCount, releaseOpenedFile } from "../../runtimes/opened-files.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { tempDir } from "../gates/helpers.ts";
import { tinyGguf } from "./tiny-model.ts";

function copyOfTiny(): string {
  const path = join(tempDir(), "model.gguf");
  copyFileSync(tinyGguf("qwen2", "f32"), path);
  return path;
}

it("runtimes of one file share its opened source until the file changes", async () => {
  const path = copyOfTiny();
  const a = acquireOpenedFile(path, "cpu-wasm", 1);
  const b = acquireOpenedFile(path, "cpu-wasm", 1);
  expect(a.key).toBe(b.key);
  const first = await a.opened;
  expect((await b.opened).source === first.source).toBe(true);
  releaseOpenedFile(a.key);
  releaseOpenedFile(b.key);
  const again = acquireOpenedFile(path, "cpu-wasm", 1);
  expect((await again.opened).source === first.source).toBe(true); // idle within the budget: kept
  releaseOpenedFile(again.key);
  expect((await acquireOpenedFile(path, "cpu-wasm", 2).opened).source === first.source).toBe(false); // other threads: another backend
  const later = new Date(Date.now() + 60_000);
  utimesSync(path, later, later);
  const changed = acquireOpenedFile(path, "cpu-wasm", 1);
  expect(changed.key).not.toBe(a.key);
  expect((await changed.opened).source === first.source).toBe(false);
});

it("a file that cannot be opened is not kept: the next runtime is told why again", async () => {
  const path = join(tempDir(), "broken.gguf");
  writeFileSync(path, Buffer.from("GGUF not really a model"));
  const before = openedFileCount();
  await expect(acquireOpenedFile(path, "cpu-wasm", 1).opened).rejects.toMatchObject({ code: expect.any(String) });
  expect(openedFileCount()).toBe(before);
  await expect(acquireOpenedFile(path, "cpu-wasm", 1).opened).rejects.toMatchObject({ code: expect.any(String) });
});

it("idle files beyond the budget are closed, a held one is not", async () => {
  const heldPath = copyOfTiny();
  const held = acquireOpenedFile(heldPath, "cpu-wasm", 1);
  const idle = acquireOpenedFile(copyOfTiny(), "cpu-wasm", 1);
  const heldFile = await held.opened;
  await idle.opened;
  const before = openedFileCount();
  releaseOpenedFile(idle.key, 0); // a budget of nothing: every idle file goes
  expect(openedFileCount()).toBeLessThan(before);
  const stillHeld = acquireOpenedFile(heldPath, "cpu-wasm", 1);
  expect((await stillHeld.opened).source === heldFile.source).toBe(true);
});

it("a fault in one runtime's model over a shared file leaves the others' as they were", async () => {
  const path = copyOfTiny();
  const spec: SubjectSpec = { model: "model", path, format: "gguf", quant: "f32", backend: "cpu-wasm", runtime: "embedded" };
  const logprobs = async (s: SubjectSpec) => {
    const runtime = new EmbeddedRuntime({ threads: 1 });
    try {
      return (await runtime.score(s, "3 + 4 =", [5, 6, 7, 8])).steps.map((step) => step.logprob);
    } finally {
      await runtime.close();
    }
  };
  const clean = await logprobs(spec);
  const faulty = await logprobs({ ...spec, inject: "rope-adjacent-pairs" });
  expect(faulty).not.toEqual(clean);
  expect(await logprobs(spec)).toEqual(clean);
});
