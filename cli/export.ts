// `refute export`: a model as GGUF (llama.cpp's conventions), optionally quantized on the way.

import { writeGgufFile } from "../engine/formats/gguf/file.ts";
import { RefuteError } from "../core/errors.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import { quantizeSource } from "../engine/model/quantize.ts";
import { openSource } from "../engine/open.ts";
import { parseCommand, requireString } from "./args.ts";
import { parseQuantization } from "./import.ts";

const HELP = `usage: refute export <model> --format gguf -o <file.gguf> [--quantize f32|q8_0|q4_0|q4_k] [--json]

Writes a GGUF v3 file llama.cpp loads: general.* and <arch>.* keys, tokenizer.ggml.*,
llama.cpp's tensor names, dims innermost first; llama q/k rows permuted for llama.cpp's
adjacent-pair RoPE, gpt2 q/k/v fused into attn_qkv. Without --quantize the tensors keep
their types (a .rft file exports exactly its blocks).`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { format: { type: "string" }, output: { type: "string", short: "o" }, quantize: { type: "string" }, json: { type: "boolean" } }, HELP, true);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new RefuteError("E_USAGE", `expected one model, found ${positionals.length}\n\n${HELP}`, {});
  if ((values.format ?? "gguf") !== "gguf") throw new RefuteError("E_USAGE", `--format must be gguf, found ${JSON.stringify(values.format)}`, { option: "format" });
  const output = requireString(values, "output", HELP);
  let source = openSource(positionals[0]);
  const quantization = values.quantize === undefined ? null : parseQuantization(values.quantize);
  if (quantization) source = quantizeSource(source, quantization);
  const fileType = quantization ?? String((source.details?.provenance as { quantization?: string } | undefined)?.quantization ?? "f32");
  const input = ggufFromSource(source, positionals[0], fileType);
  writeGgufFile(output, input);
  const summary = { output, format: "gguf", tensors: input.tensors.length, file_type: fileType };
  console.log(values.json ? JSON.stringify(summary) : `wrote ${output}: ${summary.tensors} tensors (${fileType})`);
  return 0;
}
