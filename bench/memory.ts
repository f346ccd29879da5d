// Memory per model: each runtime loads the GGUF in a process of its own and decodes a few
// tokens; the process's peak RSS and its RSS after decoding (after a garbage collection, for
// the engine) are reported next to the file size and the RSS of a process that loads nothing.
// A process per model is the only way to get a peak per model: maxRSS never goes down.

import { execa } from "execa";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./memory-child.ts", import.meta.url));

export interface ProcessMemory {
  peakMiB: number; // the process's largest RSS
  rssMiB: number; // after decoding
}

export interface ModelMemory {
  engine: ProcessMemory;
  llamacpp: ProcessMemory;
  baseline: ProcessMemory; // Node, tsx and both runtimes' code, no model
}

const toMiB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function probe(which: "none" | "engine" | "llama.cpp", file: string, quant: string, threads: number, tokens: number, backend: string): Promise<ProcessMemory> {
  const { stdout } = await execa(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, which, file, quant, String(threads), String(tokens), backend]);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(line) as { peakRssBytes: number; rssBytes: number };
  return { peakMiB: toMiB(parsed.peakRssBytes), rssMiB: toMiB(parsed.rssBytes) };
}

/** RSS on the CPU side only: a GPU backend's device memory is not in it. */
export async function measureMemory(file: string, quant: string, threads: number, backend: string, tokens = 8): Promise<ModelMemory> {
  return {
    engine: await probe("engine", file, quant, threads, tokens, backend),
    llamacpp: await probe("llama.cpp", file, quant, threads, tokens, backend === "cuda" ? "cuda" : "cpu"),
    baseline: await probe("none", file, quant, threads, tokens, "cpu"),
  };
}
