// `refute import`: a model (Hugging Face directory, zoo slug, GGUF) into the native .rft
// container at a quantization, with its provenance. With --enforce-provenance a GGUF source is
// refused (seed gate F-GT-001: a pre-baked GGUF is not ground truth); without it the import is
// allowed for diagnosis and recorded as such.

import { Option } from "commander";
import { FILE_QUANTS, type FileQuant } from "../core/vocabulary.ts";
import { writeNativeFile } from "../engine/formats/native/file.ts";
import { importToNative } from "../engine/model/import.ts";
import { openSource } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";

interface ImportOptions extends ContractOption {
  quantize: FileQuant;
  output: string;
  enforceProvenance?: boolean;
  json?: boolean;
}

/** --quantize of import and export: one of the quantizations the engine writes. */
export function quantizeOption(description: string): Option {
  return new Option("--quantize <quant>", description).choices(FILE_QUANTS);
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("import", io)
    .description(
      "Converts a model into refute's native container (RFT: config, tokenizer, 64-byte aligned tensors, provenance with the source files' sha256). Norms, biases and position tables stay f32; embeddings and the output head are q8_0 in every quantized mix (engine/model/quantize.ts).",
    )
    .argument("<source>", "a Hugging Face directory, a zoo slug or a .gguf file")
    .addOption(quantizeOption("the tensors' quantization").default("f32"))
    .requiredOption("-o, --output <file>", "the .rft file to write")
    .option("--enforce-provenance", "refuse a GGUF source (F-GT-001): only original weights are ground truth")
    .option("--json", "one JSON object: output, source_format, quantization, tensors, enforced");
  withContractOption(command);
  onRun(command, async (sourceName: string, options: ImportOptions) => {
    const source = openSource(sourceName);
    const enforced = options.enforceProvenance === true;
    const input = importToNative(source, { quantization: options.quantize, enforceProvenance: enforced, skipContract: skipContract(options, io) });
    writeNativeFile(options.output, input);
    const summary = { output: options.output, source_format: source.format, quantization: options.quantize, tensors: input.tensors.length, enforced };
    io.out(options.json ? JSON.stringify(summary) : `wrote ${options.output}: ${summary.tensors} tensors, ${options.quantize}, from ${source.format}`);
    return 0;
  });
  return runCommand(command, argv, io);
}
