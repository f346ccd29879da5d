// The embedded runtime scans a model file it runs as it is (a GGUF) against the contract once
// per process, and again whenever the file changed since: a file that passed and was then
// rewritten with a NaN weight is refused on its next load, by any runtime of the process.

import { copyFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { SYNTHETIC_SHAPES, syntheticSource } from "../../bench/synthetic.ts";
import { writeGgufFile } from "../../engine/formats/gguf/file.ts";
import { ggufFromSource } from "../../engine/model/gguf-export.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { tempDir } from "../gates/helpers.ts";
import { tinyGguf } from "./tiny-model.ts";

const CONFIG = { vocab_size: 1024, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 512 };

/** The tiny model's GGUF with one weight NaN (its first F32 matrix's first value). */
function writeWithNaN(path: string): void {
  const source = syntheticSource(SYNTHETIC_SHAPES["smollm-135m-shape"], { std: 0.25, config: CONFIG, seed: 7 });
  const matrix = [...source.tensors.values()].find((t) => t.dtype === "f32" && t.shape.length === 2);
  if (!matrix) throw new Error("no F32 matrix");
  new Float32Array(matrix.data.buffer, matrix.data.byteOffset, 1)[0] = Number.NaN;
  writeGgufFile(path, ggufFromSource(source, "tiny-llama", "f32"));
}

it("a GGUF that passed the contract and then changed is checked again on its next load", async () => {
  const path = join(tempDir(), "model.gguf");
  copyFileSync(tinyGguf("llama", "f32"), path);
  const spec: SubjectSpec = { model: "model", path, format: "gguf", quant: "f32", backend: "cpu-ts", runtime: "embedded" };
  const first = new EmbeddedRuntime({ threads: 1 });
  await expect(first.model(spec)).resolves.toBeDefined();
  await expect(new EmbeddedRuntime({ threads: 1 }).model(spec)).resolves.toBeDefined(); // passed: not scanned again
  writeWithNaN(path);
  const later = new Date(Date.now() + 60_000);
  utimesSync(path, later, later); // a rewrite within the same millisecond would keep its times
  await expect(new EmbeddedRuntime({ threads: 1 }).model(spec)).rejects.toMatchObject({ code: "TENSOR_NAN" });
});
