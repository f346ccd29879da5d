// `refute run`: greedy generation with the embedded engine.

import { Option } from "commander";
import { RefuteError } from "../core/errors.ts";
import type { GenerateResult } from "../engine/model.ts";
import { chatTemplateOf } from "../engine/open-tokenizer.ts";
import { renderChat } from "../engine/tokenizer/chat-template.ts";
import { kernelsFor, withBackendOptions, type BackendOptions } from "./backend.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { openModelAs, type QuantOption, withQuantOption } from "./quant-option.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { positiveInteger } from "./options.ts";

interface RunOptions extends BackendOptions, QuantOption, ContractOption {
  model: string;
  prompt: string;
  chat?: boolean;
  system?: string;
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
    .option("--json", "one JSON object: prompt_tokens, tokens, text, and topk with --top-k")
    .option("--chat", "the prompt is a user message: rendered with the model's chat template (tokenizer_config.json chat_template, or the GGUF's) and its generation prompt")
    .option("--system <text>", "with --chat, a system message before the user's");
  withQuantOption(command);
  withContractOption(command);
  withBackendOptions(command);
  onRun(command, async (options: RunOptions) => {
    const prompt = options.chat ? chatPrompt(options) : options.prompt;
    const kernels = await kernelsFor(options, options.model, [options.quant]);
    let result: GenerateResult;
    try {
      result = openModelAs(options.model, options.quant, kernels, { skipContract: skipContract(options, io) }).generate(prompt, options.maxNewTokens, options.topK ?? 0);
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

/** The prompt as the model's chat template renders a conversation of (a system message and) the user's. */
function chatPrompt(options: RunOptions): string {
  const chat = chatTemplateOf(options.model);
  if (!chat) throw new RefuteError("E_USAGE", `${options.model} has no chat template (tokenizer_config.json chat_template, or a GGUF's tokenizer.chat_template): run it without --chat`, { option: "chat" });
  const messages = [...(options.system !== undefined ? [{ role: "system", content: options.system }] : []), { role: "user", content: options.prompt }];
  return renderChat(chat.template, messages, { addGenerationPrompt: true, bosToken: chat.bosToken, eosToken: chat.eosToken });
}
