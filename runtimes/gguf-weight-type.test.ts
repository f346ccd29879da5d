// A GGUF file given as it is runs only under checks that name its own format and quantization:
// the file's type is what most of its matrices are (hand-built headers, independent of the
// writer), and any other check is blocked with both named, never run on the file.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bytes, header, tensorInfo } from "../engine/formats/gguf/testing/bytes.ts";
import { readGgufHeader } from "../engine/formats/gguf/read.ts";
import { tempDir } from "../test/gates/helpers.ts";
import { dominantMatrixType } from "./gguf-file-summary.ts";
import { checkGgufFileIsSubject } from "./gguf-weight-type.ts";
import { BlockedError, type SubjectSpec } from "./runtime.ts";

const F32 = 0;
const Q4_0 = 2;
const Q6_K = 14;

/** A header of these tensors (no data: the type is read from the header alone). */
const headerBytes = (infos: Array<[string, number[], number]>) => bytes([header(infos.length, 0), ...infos.map(([name, dims, type]) => tensorInfo(name, dims, type, 0))], 256);

const q4File = (): string => {
  const file = join(tempDir("refute-gguf-type-"), "model-q4.gguf");
  writeFileSync(file, headerBytes([["norm", [64], F32], ["a", [64, 64], Q4_0], ["b", [64, 64], Q4_0], ["output", [256, 64], Q6_K]]));
  return file;
};

describe("dominantMatrixType", () => {
  it("is the type most matrices have: a Q4_0 mix with a Q6_K output and F32 norms is q4_0; a vocabulary file has none", () => {
    expect(dominantMatrixType(readGgufHeader(headerBytes([["norm", [64], F32], ["a", [64, 64], Q4_0], ["b", [64, 64], Q4_0], ["output", [256, 64], Q6_K]])))).toBe("q4_0");
    expect(dominantMatrixType(readGgufHeader(headerBytes([["norm", [64], F32]])))).toBeNull();
  });
});

describe("checkGgufFileIsSubject", () => {
  it("lets a check that names the file's format and quant run, and blocks one that names another quant or format, naming both", () => {
    const file = q4File();
    expect(() => checkGgufFileIsSubject(file, { format: "gguf", quant: "q4_0" })).not.toThrow();
    const refusal = (spec: Pick<SubjectSpec, "format" | "quant">) => {
      try {
        checkGgufFileIsSubject(file, spec);
      } catch (e) {
        return e;
      }
      return null;
    };
    const other = refusal({ format: "gguf", quant: "f32" });
    expect(other).toBeInstanceOf(BlockedError);
    expect((other as BlockedError).reason).toMatch(/holds q4_0 weights; the check asks for quant f32/);
    expect((refusal({ format: "native", quant: "q4_0" }) as BlockedError).reason).toMatch(/asks for format native/);
  });

  it("leaves a file it cannot read to the load, which reports why", () => {
    const file = join(tempDir("refute-gguf-type-"), "broken.gguf");
    writeFileSync(file, "not a GGUF");
    expect(() => checkGgufFileIsSubject(file, { format: "gguf", quant: "q8_0" })).not.toThrow();
  });
});
