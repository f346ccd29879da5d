// `refute import`: a model (Hugging Face directory, zoo slug, GGUF) into the native .rft
// container at a quantization, with its provenance. With --enforce-provenance a GGUF source is
// refused (seed gate F-GT-001: a pre-baked GGUF is not ground truth); without it the import is
// allowed for diagnosis and recorded as such.

import { writeNativeFile } from "../engine/formats/native/file.ts";
import { RefuteError } from "../core/errors.ts";
import { importToNative } from "../engine/model/import.ts";
import { FILE_QUANTS, isOneOf, type FileQuant } from "../core/vocabulary.ts";
import { openSource } from "../engine/open.ts";
import { parseCommand, requireString } from "./args.ts";

const HELP = `usage: refute import <hf-dir|zoo slug|file.gguf> --quantize f32|q8_0|q4_0|q4_k -o <file.rft> [--enforce-provenance] [--json]

Converts a model into refute's native container (RFT: config, tokenizer, 64-byte aligned
tensors, provenance with the source files' sha256). Norms, biases and position tables stay
f32; embeddings and the output head are q8_0 in every quantized mix; see engine/model/quantize.ts.

  --enforce-provenance  refuse a GGUF source (F-GT-001): only original weights are ground truth`;

export function parseQuantization(value: unknown): FileQuant {
  if (!isOneOf(FILE_QUANTS, value)) {
    throw new RefuteError("E_USAGE", `--quantize must be one of ${FILE_QUANTS.join(", ")}, found ${JSON.stringify(value)}`, { option: "quantize" });
  }
  return value;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { quantize: { type: "string" }, output: { type: "string", short: "o" }, "enforce-provenance": { type: "boolean" }, json: { type: "boolean" } }, HELP, true);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new RefuteError("E_USAGE", `expected one source model, found ${positionals.length}\n\n${HELP}`, {});
  const quantization = parseQuantization(values.quantize ?? "f32");
  const output = requireString(values, "output", HELP);
  const source = openSource(positionals[0]);
  const enforced = values["enforce-provenance"] === true;
  const input = importToNative(source, { quantization, enforceProvenance: enforced });
  writeNativeFile(output, input);
  const summary = { output, source_format: source.format, quantization, tensors: input.tensors.length, enforced };
  console.log(values.json ? JSON.stringify(summary) : `wrote ${output}: ${summary.tensors} tensors, ${quantization}, from ${source.format}`);
  return 0;
}
