// `refute run`: greedy generation with the embedded engine.

import { openModel } from "../engine/open.ts";
import { parseCommand, positiveInteger, requireString } from "./args.ts";
import { BACKEND_HELP, BACKEND_OPTIONS, kernelsFromOptions } from "./backend.ts";

const HELP = `usage: refute run --model <dir|file|zoo slug> --prompt "<text>" [--max-new-tokens 32] [--top-k 0]
                  [--backend cpu] [--threads n] [--json]

Greedy generation (no sampling) with the embedded engine. The model is a zoo slug
(tiny-llama, tiny-qwen2, tiny-gpt2), a Hugging Face directory, a .rft or a .gguf file.
No BOS token is prepended: the prompt's token ids are exactly its encoding.

  --json         one JSON object: prompt_tokens, tokens, text, and topk when --top-k > 0
${BACKEND_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    { model: { type: "string" }, prompt: { type: "string" }, "max-new-tokens": { type: "string" }, "top-k": { type: "string" }, json: { type: "boolean" }, ...BACKEND_OPTIONS },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const path = requireString(values, "model", HELP);
  const prompt = requireString(values, "prompt", HELP);
  const topK = values["top-k"] === undefined ? 0 : positiveInteger(values, "top-k", 0);
  const maxNewTokens = positiveInteger(values, "max-new-tokens", 32);
  const kernels = await kernelsFromOptions(values);
  let result;
  try {
    result = openModel(path, kernels).generate(prompt, maxNewTokens, topK);
  } finally {
    await kernels.close?.();
  }
  if (values.json) {
    const out: Record<string, unknown> = { prompt_tokens: result.promptTokens, tokens: result.tokens, text: result.text };
    if (topK > 0) out.topk = result.topk;
    console.log(JSON.stringify(out));
  } else {
    console.log(result.text);
  }
  return 0;
}
