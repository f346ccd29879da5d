// `--quant` of the commands that run a model (run, ppl): the model quantized as the native
// format does before it runs, so a CLI subject can be asked for q8_0 or q4_0 of one checkpoint.
// Without it the model runs as loaded.

import { type Command, Option } from "commander";
import { FILE_QUANTS, type FileQuant } from "../core/vocabulary.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import { prepareSource } from "../engine/convert.ts";
import { type EngineOptions, EngineModel } from "../engine/model.ts";
import { openModel } from "../engine/open.ts";

export interface QuantOption {
  quant?: FileQuant;
}

export function withQuantOption(command: Command): Command {
  return command.addOption(new Option("--quant <quant>", "quantize the model as the native format does before running it (default: run it as loaded)").choices(FILE_QUANTS));
}

/** The model as `--quant` asks for it. */
export function openModelAs(model: string, quant: FileQuant | undefined, kernels: Kernels, options: EngineOptions = {}): EngineModel {
  return quant ? new EngineModel(prepareSource(model, "native", quant), kernels, undefined, options) : openModel(model, kernels, options);
}
