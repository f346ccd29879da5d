// `refute tokenize` and `refute detokenize`: a model's tokenizer on its own, from a Hugging
// Face directory, a .gguf (llama.cpp's vocabulary-only files included) or a .rft file. No
// special token is added unless --add-special asks for the ones the model puts around a prompt.

import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { RefuteError } from "../core/errors.ts";
import { openTokenizer } from "../engine/open-tokenizer.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

const MODEL_HELP = "a zoo slug, a Hugging Face directory, a .gguf (a vocabulary-only one will do) or a .rft file";

interface TokenizeOptions {
  model: string;
  text?: string;
  textFile?: string;
  json?: boolean;
  addSpecial?: boolean;
}

function textOf(options: TokenizeOptions): string {
  if ((options.text === undefined) === (options.textFile === undefined)) throw new RefuteError("E_USAGE", "give the text with exactly one of --text and --text-file", { option: "text" });
  return options.text ?? readFileSync(options.textFile as string, "utf8");
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("tokenize", io)
    .description("Encodes a text with a model's tokenizer, without loading its weights; prints the ids (with --json, each id's token text too).")
    .requiredOption("--model <model>", MODEL_HELP)
    .option("--text <text>", "the text")
    .option("--text-file <file>", "the text, from a file (UTF-8)")
    .option("--add-special", "add the special tokens the model puts around a prompt (BOS, EOS, CLS/SEP: Hugging Face's add_special_tokens, llama.cpp's add_bos/add_eos)")
    .option("--json", "one JSON object: ids, tokens (each id's token text), count");
  onRun(command, async (options: TokenizeOptions) => {
    const tokenizer = openTokenizer(options.model);
    const text = textOf(options);
    const ids = options.addSpecial ? tokenizer.encodePrompt(text) : tokenizer.encode(text);
    io.out(options.json ? JSON.stringify({ ids, tokens: ids.map((id) => tokenizer.tokenText(id)), count: ids.length }) : ids.join(" "));
    return 0;
  });
  return runCommand(command, argv, io);
}

function idList(text: string): number[] {
  const ids = text.split(/[\s,]+/).filter(Boolean).map(Number);
  if (ids.length === 0 || !ids.every((id) => Number.isSafeInteger(id) && id >= 0)) throw new InvalidArgumentError("Expected token ids: non-negative integers separated by commas or spaces.");
  return ids;
}

export function runDetokenize(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("detokenize", io)
    .description("Decodes token ids with a model's tokenizer, without loading its weights.")
    .requiredOption("--model <model>", MODEL_HELP)
    .requiredOption("--ids <ids>", "the ids, separated by commas or spaces", idList)
    .option("--json", "one JSON object: text");
  onRun(command, async (options: { model: string; ids: number[]; json?: boolean }) => {
    const text = openTokenizer(options.model).decode(options.ids);
    io.out(options.json ? JSON.stringify({ text }) : text);
    return 0;
  });
  return runCommand(command, argv, io);
}
