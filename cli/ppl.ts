// `refute ppl`: sliding-window perplexity of a text file under a model.

import { readFileSync } from "node:fs";
import { Option } from "commander";
import { RefuteError } from "../core/errors.ts";
import type { PerplexityResult } from "../engine/generate/perplexity.ts";
import { kernelsFor, withBackendOptions, type BackendOptions } from "./backend.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { openModelAs, type QuantOption, withQuantOption } from "./quant-option.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { positiveInteger } from "./options.ts";

interface PplOptions extends BackendOptions, QuantOption, ContractOption {
  model: string;
  textFile: string;
  window?: number;
  stride?: number;
  json?: boolean;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new RefuteError("FILE_NOT_FOUND", `${file}: ${(e as Error).message}`, { file });
  }
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("ppl", io)
    .description(
      "Perplexity with a sliding window (Hugging Face's procedure): windows start every --stride tokens, each scores only the tokens the previous window did not; the first token is never scored. Prints the perplexity, tokens scored, window and stride.",
    )
    .requiredOption("--model <model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .requiredOption("--text-file <file>", "the text to score")
    .addOption(new Option("--window <n>", "tokens per window (default: 128, or the model's context if shorter)").argParser(positiveInteger))
    .addOption(new Option("--stride <n>", "tokens between window starts (default: half the window)").argParser(positiveInteger))
    .option("--json", "one JSON object: perplexity, nll_sum, tokens_scored, window, stride");
  withQuantOption(command);
  withContractOption(command);
  withBackendOptions(command);
  onRun(command, async (options: PplOptions) => {
    const text = readText(options.textFile);
    const kernels = await kernelsFor(options, options.model, [options.quant]);
    let r: PerplexityResult;
    try {
      const model = openModelAs(options.model, options.quant, kernels, { skipContract: skipContract(options, io) });
      const window = options.window ?? Math.min(128, model.arch.maxPositions);
      const stride = options.stride ?? Math.max(1, window >> 1);
      const progress = options.json || !process.stderr.isTTY ? undefined : (done: number, total: number) => process.stderr.write(`\rwindow ${done}/${total}`);
      r = model.perplexity(text, window, stride, progress);
      if (progress) process.stderr.write("\n");
    } finally {
      await kernels.close?.();
    }
    if (options.json) io.out(JSON.stringify({ perplexity: r.perplexity, nll_sum: r.nllSum, tokens_scored: r.tokensScored, window: r.window, stride: r.stride }));
    else io.out(`perplexity ${r.perplexity.toFixed(4)} over ${r.tokensScored} tokens (window ${r.window}, stride ${r.stride})`);
    return 0;
  });
  return runCommand(command, argv, io);
}
