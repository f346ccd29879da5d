// The `refute` command line: one dispatcher, each command in its own module that exports
// `run(argv): Promise<number>` (the exit code) and declares its options with commander
// (cli/command.ts). Modules load only when their command runs, so `refute --help` and the
// small commands start fast and load no engine.

import { consoleOutput, refuteProgram, runProgram } from "./command.ts";

interface CommandModule {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

const COMMANDS: Record<string, CommandModule> = {
  run: { summary: "greedy generation with the embedded engine", load: () => import("./run.ts") },
  ppl: { summary: "sliding-window perplexity of a text file", load: () => import("./ppl.ts") },
  import: { summary: "convert a model into the native .rft container", load: () => import("./import.ts") },
  export: { summary: "write a model as GGUF", load: () => import("./export.ts") },
  inspect: { summary: "architecture, metadata and provenance of a model", load: () => import("./inspect.ts") },
  tensors: { summary: "every tensor with dtype, shape and statistics", load: () => import("./tensors.ts") },
  validate: { summary: "check a model file; exit 1 when invalid", load: () => import("./validate.ts") },
  diff: { summary: "compare two models tensor by tensor", load: () => import("./diff.ts") },
  list: { summary: "the zoo's models (checked against its manifest) and the cached model files", load: () => import("./list.ts") },
  gates: { summary: "run claims and report verdicts", load: () => import("./gates.ts") },
  ticket: { summary: "issue markdown per refutation; --file plans, --file --apply files GitHub issues", load: () => import("./ticket.ts") },
  report: { summary: "merge shard reports; regenerate the README scoreboard", load: () => import("./report.ts") },
  serve: { summary: "the engine behind an OpenAI-compatible HTTP API", load: () => import("./serve.ts") },
  bench: { summary: "llama-bench-style pp/tg timings, engine vs llama.cpp", load: () => import("./bench.ts") },
  kv: { summary: "extract, compress and decompress KV caches, with quality metrics", load: () => import("./kv.ts") },
  trace: { summary: "layer-by-layer activations against the reference: where a subject first departs", load: () => import("./trace.ts") },
  tokenize: { summary: "a text's token ids, from a model's tokenizer alone (no weights)", load: () => import("./tokenize.ts") },
  setup: { summary: "build what some checks need: llama.cpp's tools (llama-server, llama-bench, ...)", load: () => import("./setup.ts") },
  detokenize: { summary: "token ids back to text, from a model's tokenizer alone", load: async () => ({ run: (await import("./tokenize.ts")).runDetokenize }) },
};

/** `refute` itself: the list of commands (each a summary here; its options live in its module). */
function program() {
  const refute = refuteProgram(consoleOutput)
    .description("Tries to falsify LLM inference runtimes and model converters with pre-registered claims.")
    .addHelpText("after", "\n`refute <command> --help` describes each one.");
  for (const [name, command] of Object.entries(COMMANDS)) refute.command(name).summary(command.summary);
  return refute;
}

/** The exit code of a crash: a bug in refute, never mistaken for a refutation (1) or a usage error (2). */
export const EXIT_CRASH = 70; // sysexits' EX_SOFTWARE

/** Runs `refute <argv>`; anything thrown past the commands is a crash, reported with its stack and EXIT_CRASH. */
export async function main(argv: string[], err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e) {
    err(`refute: internal error (a bug in refute; please report it with this output):\n${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_CRASH;
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // `refute help [command...]` is `refute [command...] --help`.
  if (name === "help") return dispatch([...rest, "--help"]);
  if (name !== undefined && Object.hasOwn(COMMANDS, name)) return (await COMMANDS[name].load()).run(rest);
  return runProgram(program(), argv, consoleOutput);
}
