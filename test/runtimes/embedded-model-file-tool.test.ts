// The embedded engine as a model-file tool, judged by the model-file probes on the zoo: on
// the clean engine each probe finds no violation on the model its claim names, and an
// injected fault reaches the primitives, so the probes still see it (the Conv1D fault stops
// the GPT-2 load; a transposed embedding and bf16-rounded Q8_0 scales break the Q8_0 bound,
// the first only because the original weights are read without the fault).

import { afterAll, describe, expect, it } from "vitest";
import type { Quant } from "../../core/vocabulary.ts";
import { OracleStore } from "../../gates/oracle.ts";
import type { MeasureInput } from "../../measures/measure.ts";
import { MODEL_FILE_PROBES, PROBES, type ProbeName } from "../../measures/model-file/index.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import type { Format, SubjectSpec } from "../../runtimes/runtime.ts";

const runtime = new EmbeddedRuntime({ threads: 1 });
const oracle = new OracleStore();
afterAll(() => runtime.close());

/** The model, format and quant a claim of claims/ runs each probe on. */
const SUBJECTS: Record<ProbeName, [string, Format, Quant]> = {
  "provenance-enforced": ["tiny-llama", "native", "q8_0"],
  "mixed-quant-warning": ["tiny-qwen2", "native", "q8_0"],
  "provenance-readable": ["tiny-gpt2", "native", "q8_0"],
  determinism: ["tiny-llama", "native", "q8_0"],
  "tokenizer-formats": ["tiny-qwen2", "safetensors", "f32"],
  "sharded-load": ["tiny-qwen2", "safetensors", "bf16"],
  "gguf-dims-reversed": ["tiny-gpt2", "gguf", "f32"],
  "load-contract": ["tiny-gpt2", "safetensors", "f32"],
  "diff-transposed": ["tiny-llama", "safetensors", "f32"],
  "conv1d-transposed": ["tiny-gpt2", "safetensors", "f32"],
  "quant-error-bound": ["tiny-llama", "native", "q4_0"],
};

async function probed(probe: ProbeName, [model, format, quant]: [string, Format, Quant], inject?: string) {
  const subject: SubjectSpec = { model, format, quant, backend: "cpu-ts", runtime: "embedded", ...(inject ? { inject } : {}) };
  const input: Pick<MeasureInput, "subject" | "prompts" | "modelFiles" | "oracleTokenizer"> = {
    subject,
    prompts: [await oracle.prompt("greeting")],
    modelFiles: (s) => runtime.modelFiles(s),
    oracleTokenizer: (m) => oracle.tokenizer(m),
  };
  return MODEL_FILE_PROBES[probe](await runtime.modelFiles(subject), input as MeasureInput);
}

describe("the embedded model-file tool", () => {
  for (const probe of PROBES) {
    it(`passes ${probe} clean`, async () => {
      const { checked, violations } = await probed(probe, SUBJECTS[probe]);
      expect(violations).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    });
  }

  it("carries an injected fault into its primitives", async () => {
    expect((await probed("conv1d-transposed", SUBJECTS["conv1d-transposed"], "conv1d-not-transposed")).violations).toEqual([
      expect.stringMatching(/^the GPT-2 checkpoint does not load: .* \[LAYOUT_WEIGHT_SHAPE\]$/),
    ]);
    for (const fault of ["embedding-transposed", "q8-scale-bf16"]) {
      const { violations } = await probed("quant-error-bound", ["tiny-llama", "native", "q8_0"], fault);
      expect(violations.length, fault).toBeGreaterThan(0);
    }
  });
});
