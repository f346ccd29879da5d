// `refute run`: greedy generation with the embedded engine.

import { Option } from "commander";
import type { GenerateResult } from "../engine/model.ts";
import { kernelsFor, withBackendOptions, type BackendOptions } from "./backend.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { openModelAs, type QuantOption, withQuantOption } from "./quant-option.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { positiveInteger } from "./options.ts";

interface RunOptions extends BackendOptions, QuantOption, ContractOption {
  model: string;
  prompt: string;
  maxNewTokens: number;
  topK?: number;
  json?: boolean;
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("run", io)
    .description(
      "Greedy generation (no sampling) with the embedded engine. No BOS token is prepended: the prompt's token ids are exactly its encoding.",
    )
    .requiredOption("--model <model>", "a zoo slug (tiny-llama, tiny-qwen2, tiny-gpt2), a Hugging Face directory, a .rft or a .gguf file")
    .requiredOption("--prompt <text>", "the prompt")
    .addOption(new Option("--max-new-tokens <n>", "tokens to generate").argParser(positiveInteger).default(32))
    .addOption(new Option("--top-k <k>", "with --json, also the k most likely tokens of each step").argParser(positiveInteger))
    .option("--json", "one JSON object: prompt_tokens, tokens, text, and topk with --top-k");
  withQuantOption(command);
  withContractOption(command);
  withBackendOptions(command);
  onRun(command, async (options: RunOptions) => {
    const kernels = await kernelsFor(options);
    let result: GenerateResult;
    try {
      result = openModelAs(options.model, options.quant, kernels, { skipContract: skipContract(options, io) }).generate(options.prompt, options.maxNewTokens, options.topK ?? 0);
    } finally {
      await kernels.close?.();
    }
    if (options.json) {
      const out: Record<string, unknown> = { prompt_tokens: result.promptTokens, tokens: result.tokens, text: result.text };
      if (options.topK !== undefined) out.topk = result.topk;
      io.out(JSON.stringify(out));
    } else {
      io.out(result.text);
    }
    return 0;
  });
  return runCommand(command, argv, io);
}
