// `refute export`: a model as GGUF (llama.cpp's conventions), optionally quantized on the way.

import { Option } from "commander";
import type { FileQuant } from "../core/vocabulary.ts";
import { writeGgufFile } from "../engine/formats/gguf/file.ts";
import { ggufFromSource } from "../engine/model/gguf-export.ts";
import { quantizeSource } from "../engine/model/quantize.ts";
import { openSource } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { quantizeOption } from "./import.ts";

interface ExportOptions {
  format: "gguf";
  output: string;
  quantize?: FileQuant;
  json?: boolean;
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("export", io)
    .description(
      "Writes a GGUF v3 file llama.cpp loads: general.* and <arch>.* keys, tokenizer.ggml.*, llama.cpp's tensor names, dims innermost first; llama q/k rows permuted for llama.cpp's adjacent-pair RoPE, gpt2 q/k/v fused into attn_qkv.",
    )
    .argument("<model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .addOption(new Option("--format <format>", "the file format written").choices(["gguf"]).default("gguf"))
    .requiredOption("-o, --output <file>", "the .gguf file to write")
    .addOption(quantizeOption("quantize on the way (default: the tensors keep their types; a .rft file exports exactly its blocks)"))
    .option("--json", "one JSON object: output, format, tensors, file_type");
  onRun(command, async (modelName: string, options: ExportOptions) => {
    let source = openSource(modelName);
    if (options.quantize) source = quantizeSource(source, options.quantize);
    const fileType = options.quantize ?? String((source.details?.provenance as { quantization?: string } | undefined)?.quantization ?? "f32");
    const input = ggufFromSource(source, modelName, fileType);
    writeGgufFile(options.output, input);
    const summary = { output: options.output, format: options.format, tensors: input.tensors.length, file_type: fileType };
    io.out(options.json ? JSON.stringify(summary) : `wrote ${options.output}: ${summary.tensors} tensors (${fileType})`);
    return 0;
  });
  return runCommand(command, argv, io);
}
