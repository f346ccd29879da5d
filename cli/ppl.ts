// `refute ppl`: sliding-window perplexity of a text file under a model.

import { readFileSync } from "node:fs";
import { RefuteError } from "../core/errors.ts";
import { openModel } from "../engine/open.ts";
import { parseCommand, positiveInteger, requireString } from "./args.ts";
import { BACKEND_HELP, BACKEND_OPTIONS, kernelsFromOptions } from "./backend.ts";

const HELP = `usage: refute ppl --model <dir|file|zoo slug> --text-file <file> [--window 128] [--stride 64]
                  [--backend cpu] [--threads n] [--json]

Perplexity with a sliding window (Hugging Face's procedure): windows start every --stride
tokens, each scores only the tokens the previous window did not; the first token is never
scored. Prints the perplexity, tokens scored, window and stride.

${BACKEND_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    { model: { type: "string" }, "text-file": { type: "string" }, window: { type: "string" }, stride: { type: "string" }, json: { type: "boolean" }, ...BACKEND_OPTIONS },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const file = requireString(values, "text-file", HELP);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new RefuteError("FILE_NOT_FOUND", `${file}: ${(e as Error).message}`, { file });
  }
  const path = requireString(values, "model", HELP);
  const kernels = await kernelsFromOptions(values);
  let r;
  try {
    const model = openModel(path, kernels);
    const window = positiveInteger(values, "window", Math.min(128, model.arch.maxPositions));
    const stride = positiveInteger(values, "stride", Math.max(1, window >> 1));
    const progress = values.json || !process.stderr.isTTY ? undefined : (done: number, total: number) => process.stderr.write(`\rwindow ${done}/${total}`);
    r = model.perplexity(text, window, stride, progress);
    if (progress) process.stderr.write("\n");
  } finally {
    await kernels.close?.();
  }
  if (values.json) {
    console.log(JSON.stringify({ perplexity: r.perplexity, nll_sum: r.nllSum, tokens_scored: r.tokensScored, window: r.window, stride: r.stride }));
  } else {
    console.log(`perplexity ${r.perplexity.toFixed(4)} over ${r.tokensScored} tokens (window ${r.window}, stride ${r.stride})`);
  }
  return 0;
}
