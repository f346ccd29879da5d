// Every model-file probe on a fake tool (fake-model-file-tool.ts): a correct tool gives no
// violation; the bug the probe exists to see gives one that says what is wrong. No engine
// runs behind the tool: the probes' expectations are their own. The quantization bound's
// fp16 rounding is checked against the engine's independent one on random scales.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fp16BitsToFp32, fp32ToFp16Bits } from "../../engine/quant/half.ts";
import type { MeasureInput } from "../../measures/measure.ts";
import { MODEL_FILE_PROBES, PROBES, type ProbeName } from "../../measures/model-file/index.ts";
import { storedHalf } from "../../measures/model-file/quant-error-bound.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { FakeModelFileTool, toyEncode } from "./fake-model-file-tool.ts";

const SUBJECT: SubjectSpec = { model: "toy", format: "native", quant: "q8_0", backend: "cpu", runtime: "embedded", inject: "q8-scale-bf16" };
const TEXTS = ["", "a", "hello world", "  two  spaces "];

/** The parts of a check's input the probes read; the subjects the reference tool was asked for are kept in `asked`. */
function inputFor(subject: SubjectSpec, asked: SubjectSpec[] = []): MeasureInput {
  const input: Pick<MeasureInput, "subject" | "prompts" | "modelFiles" | "oracleTokenizer"> = {
    subject,
    prompts: [
      { name: "greeting", text: "Hello" },
      { name: "code", text: "def f(x):" },
    ],
    modelFiles: async (spec) => {
      asked.push(spec);
      return new FakeModelFileTool();
    },
    oracleTokenizer: async (model) => ({ model, cases: TEXTS.map((text) => ({ text, ids: toyEncode(text) })), source: "toy" }),
  };
  return input as MeasureInput;
}

/** The first violation each probe reports for its bug. */
const FIRST_VIOLATION: Record<ProbeName, RegExp> = {
  "provenance-enforced": /^enforced GGUF import gave success, expected PROVENANCE_REFUSED$/,
  "mixed-quant-warning": /^q8_0 vs q4_0 compared without a mixed-quantization warning$/,
  "provenance-readable": /^sha256 of .*model-00002-of-00002\.safetensors recorded as [0-9a-f]{65}, file is [0-9a-f]{64}$/,
  determinism: /^5 runs gave 2 different outputs: 1 \+ 4$/,
  "tokenizer-formats": /^gguf: 2\/4 strings encode differently, first "hello world"$/,
  "sharded-load": /^transformer\.h\.0\.mlp\.c_fc\.weight named in the index but not loaded$/,
  "gguf-dims-reversed": /^token_embd\.weight: GGUF dims \[8,32\] are not the reverse of the engine's \[8,32\]$/,
  "load-contract": /^ffn_up given as \[in, out\] gave no error, expected LAYOUT_WEIGHT_SHAPE$/,
  "diff-transposed": /^transposed tensors reported: \[\], expected \[blk\.0\.attn_output\.weight\]$/,
  "conv1d-transposed": /^blk\.0\.attn_output\.weight is not the transpose of h\.0\.attn\.c_proj\.weight$/,
  "quant-error-bound": /^token_embd\.weight: \|x - deq\| is \d+\.\d{3}x its bound at element 5$/,
};

describe("model-file probes", () => {
  for (const probe of PROBES) {
    it(`${probe}: no violation in a correct tool, its bug found`, async () => {
      const clean = await MODEL_FILE_PROBES[probe](new FakeModelFileTool(), inputFor(SUBJECT));
      expect(clean.violations).toEqual([]);
      expect(clean.checked).toBeGreaterThan(0);
      const buggy = await MODEL_FILE_PROBES[probe](new FakeModelFileTool(new Set([probe])), inputFor(SUBJECT));
      expect(buggy.violations[0]).toMatch(FIRST_VIOLATION[probe]);
    });
  }

  it("quant-error-bound holds q4_0 to its own bound, reads the original without the subject's fault, and blocks other quants", async () => {
    const asked: SubjectSpec[] = [];
    const q4 = { ...SUBJECT, quant: "q4_0" } as const;
    expect((await MODEL_FILE_PROBES["quant-error-bound"](new FakeModelFileTool(), inputFor(q4, asked))).violations).toEqual([]);
    expect((await MODEL_FILE_PROBES["quant-error-bound"](new FakeModelFileTool(new Set(["quant-error-bound"])), inputFor(q4))).violations).not.toEqual([]);
    expect(asked).toEqual([{ model: "toy", format: "native", quant: "q4_0", backend: "cpu", runtime: "embedded" }]);
    await expect(MODEL_FILE_PROBES["quant-error-bound"](new FakeModelFileTool(), inputFor({ ...SUBJECT, quant: "q4_k" }))).rejects.toThrow(/bounds are those of q8_0 and q4_0, not q4_k/);
  });

  it("a block scale is stored as the engine's fp16 stores it", () => {
    const scales = fc.oneof(fc.double({ min: -70000, max: 70000, noNaN: true }), fc.double({ min: -1e-4, max: 1e-4, noNaN: true }));
    fc.assert(fc.property(scales, (d) => Object.is(storedHalf(d), fp16BitsToFp32(fp32ToFp16Bits(d)))), { numRuns: 20000 });
    for (const d of [0, -0, 65504, 65519.99, 65520, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 1 + 2 ** -11, 1 + 3 * 2 ** -11]) expect(storedHalf(d)).toBe(fp16BitsToFp32(fp32ToFp16Bits(d)));
  });
});
