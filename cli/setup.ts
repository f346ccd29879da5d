// `refute setup llama.cpp`: builds llama.cpp's tools (llama-server, llama-bench, llama-quantize,
// llama-perplexity, llama-tokenize) from the source node-llama-cpp ships, into
// models/cache/llama-cpp/<commit>/ (core/llama-tools.ts); a second run finds them built and
// only prints where they are. Progress: cmake's [done/total] as a percentage on stderr.

import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { InvalidArgumentError, Option } from "commander";
import { type BuildFlavor, bundleCommit, buildLlamaTools, buildProgress, LLAMA_TOOLS, LLAMA_TOOLS_CACHE, type RunProgram, toolsPlace } from "../core/llama-tools.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

/** Runs a program, each output line to `onLine`; rejects with the last lines when it fails. */
export const spawnProgram: RunProgram = (program, args, onLine) =>
  new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    let pending = "";
    const take = (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (e) => reject(new Error(`${program}: ${e.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args.slice(0, 2).join(" ")} exited ${code}:\n${tail.join("\n")}`))));
  });

function jobCount(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError("Expected a number of parallel jobs from 1 to 256.");
  return n;
}

export function run(argv: string[], io: Output = consoleOutput, runProgram: RunProgram = spawnProgram): Promise<number> {
  const command = refuteCommand("setup", io).description("Prepares what some checks need and refute does not ship built.");
  const llama = command
    .command("llama.cpp")
    .description(`Builds ${LLAMA_TOOLS.join(", ")} from the llama.cpp source node-llama-cpp ships (no network: cmake, a C++ compiler and ninja), once per source commit, into models/cache/llama-cpp/. About 10 minutes of CPU. Checks that need these tools are blocked until they are built.`)
    .option("--jobs <n>", "parallel compile jobs (default: every core)", jobCount)
    .addOption(new Option("--flavor <name>", "default: every tool as llama.cpp's users build it (native, AMX included); no-amx: llama-bench alone without Intel AMX, the bench's native reference where AMX faults (reports/findings.md)").choices(["default", "no-amx"]).default("default"))
    .option("--json", "one JSON object: commit, bin, tools, built (false: found built already)");
  onRun(llama, async (options: { jobs?: number; json?: boolean; flavor: BuildFlavor }) => {
    const place = toolsPlace(await bundleCommit(runProgram), LLAMA_TOOLS_CACHE, options.flavor);
    let shown = -1;
    const onLine = (line: string) => {
      const p = buildProgress(line);
      if (!p || options.json) return;
      const percent = Math.floor((100 * p.done) / p.total);
      if (percent >= shown + 5 || p.done === p.total) {
        shown = percent;
        io.err(`llama.cpp ${place.commit.slice(0, 12)}: ${p.done}/${p.total} (${percent}%)`);
      }
    };
    if (!options.json) io.err(`building llama.cpp ${place.commit.slice(0, 12)} into ${place.dir} (skipped when already built)`);
    const { built } = await buildLlamaTools(place, runProgram, { jobs: options.jobs ?? availableParallelism(), onLine });
    const summary = { commit: place.commit, flavor: place.flavor, bin: place.bin, tools: [...place.tools], built };
    io.out(options.json ? JSON.stringify(summary) : `${built ? "built" : "already built"}: ${place.tools.join(", ")} in ${place.bin}`);
    return 0;
  });
  return runCommand(command, argv, io);
}
