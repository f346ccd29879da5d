// The `refute` command line: one dispatcher, each subcommand in its own module that
// exports `run(argv): Promise<number>` (the exit code). Modules load lazily so that
// `refute --help` and small commands start fast.

import { isRefuteError } from "../core/errors.ts";

interface Command {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

const commands: Record<string, Command> = {
  run: { summary: "greedy generation with the embedded engine", load: () => import("./run.ts") },
  ppl: { summary: "sliding-window perplexity of a text file", load: () => import("./ppl.ts") },
  import: { summary: "convert a model into the native .rft container", load: () => import("./import.ts") },
  export: { summary: "write a model as GGUF", load: () => import("./export.ts") },
  inspect: { summary: "architecture, metadata and provenance of a model", load: () => import("./inspect.ts") },
  tensors: { summary: "every tensor with dtype, shape and statistics", load: () => import("./tensors.ts") },
  validate: { summary: "check a model file; exit 1 when invalid", load: () => import("./validate.ts") },
  diff: { summary: "compare two models tensor by tensor", load: () => import("./diff.ts") },
  gates: { summary: "run claims and report verdicts", load: () => import("./gates.ts") },
  ticket: { summary: "issue markdown per refutation; --file plans, --file --apply files GitHub issues", load: () => import("./ticket.ts") },
  report: { summary: "merge shard reports; regenerate the README scoreboard", load: () => import("./report.ts") },
  serve: { summary: "the engine behind an OpenAI-compatible HTTP API", load: () => import("./serve.ts") },
  bench: { summary: "llama-bench-style pp/tg timings, engine vs llama.cpp", load: () => import("./bench.ts") },
  kv: { summary: "extract, compress and decompress KV caches, with quality metrics", load: () => import("./kv.ts") },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ["usage: refute <command> [options]", "", "commands:", ...lines, "", "`refute <command> --help` describes each one."].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`refute: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (e) {
    if (isRefuteError(e)) {
      console.error(`refute ${name}: ${e.message} [${e.code}]`);
      return 2;
    }
    throw e;
  }
}
