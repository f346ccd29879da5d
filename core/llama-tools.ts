// llama.cpp's own tools (llama-server, llama-bench, llama-quantize, llama-perplexity,
// llama-tokenize), built from the llama.cpp source node-llama-cpp ships
// (node_modules/node-llama-cpp/llama/gitRelease.bundle) into models/cache/llama-cpp/<commit>/,
// once per bundle commit: a clone of the bundle, cmake's configure without network
// (LLAMA_CURL off, no tests or examples), a build of those targets only. The build takes about
// 10 minutes of CPU, so nothing builds it implicitly: `refute setup llama.cpp` does, and a
// check that needs a tool that is not built is blocked with the command that builds it.
// A build that stops midway leaves no `.complete` marker, and the next setup starts over.
//
// Two flavours. "default" is llama.cpp as its users build it (native, AMX included): the
// subject of the serving checks. "no-amx" is llama-bench alone, built with -mno-amx-*: the
// bench's native reference on machines whose CPU reports Intel AMX but whose kernel does not
// grant the tile state, where the default build's AMX product faults on every quantized prompt
// (reports/findings.md, entry 1). GCC keeps explicit -mno-* flags over what -march=native sets.

import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RefuteError } from "./errors.ts";
import { BUNDLE } from "./llama-vocabularies.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const LLAMA_TOOLS_CACHE = join(ROOT, "models", "cache", "llama-cpp");
export const LLAMA_TOOLS = ["llama-server", "llama-bench", "llama-quantize", "llama-perplexity", "llama-tokenize"] as const;
export type LlamaTool = (typeof LLAMA_TOOLS)[number];

export type BuildFlavor = "default" | "no-amx";
const NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16";
const FLAVORS: Record<BuildFlavor, { suffix: string; tools: readonly LlamaTool[]; cmakeArgs: string[] }> = {
  default: { suffix: "", tools: LLAMA_TOOLS, cmakeArgs: [] },
  "no-amx": { suffix: "-noamx", tools: ["llama-bench"], cmakeArgs: [`-DCMAKE_C_FLAGS=${NO_AMX}`, `-DCMAKE_CXX_FLAGS=${NO_AMX}`] },
};

export const SETUP_COMMAND = "pnpm refute setup llama.cpp";

/** How the build runs a program: the tests give a recording one, setup the real one. */
export type RunProgram = (program: string, args: string[], onLine: (line: string) => void) => Promise<void>;

export interface LlamaToolsPlace {
  commit: string;
  flavor: BuildFlavor;
  tools: readonly LlamaTool[]; // what this flavour builds
  dir: string; // models/cache/llama-cpp/<commit 12>
  bin: string; // where the tools are once built
}

/** The bundle's commit (its HEAD), which keys the build. */
export async function bundleCommit(run: RunProgram, bundle = BUNDLE): Promise<string> {
  if (!existsSync(bundle)) throw new RefuteError("FILE_NOT_FOUND", `${bundle}: node-llama-cpp's llama.cpp source bundle is missing (pnpm install brings it)`, { file: bundle });
  let head = "";
  await run("git", ["bundle", "list-heads", bundle], (line) => {
    head ||= line.split(" ")[0];
  });
  if (!/^[0-9a-f]{40}$/.test(head)) throw new RefuteError("LLAMA_BUILD_FAILED", `${bundle}: git bundle list-heads named no commit`, { file: bundle });
  return head;
}

export function toolsPlace(commit: string, cache = LLAMA_TOOLS_CACHE, flavor: BuildFlavor = "default"): LlamaToolsPlace {
  const dir = join(cache, commit.slice(0, 12) + FLAVORS[flavor].suffix);
  return { commit, flavor, tools: FLAVORS[flavor].tools, dir, bin: join(dir, "build", "bin") };
}

/** Whether every tool of this build is there (the marker is written last). */
export function toolsBuilt(place: LlamaToolsPlace): boolean {
  return existsSync(join(place.dir, ".complete")) && place.tools.every((t) => existsSync(join(place.bin, t)));
}

/** cmake's "[12/345]" progress, as a fraction; null for other lines. */
export function buildProgress(line: string): { done: number; total: number } | null {
  const m = /^\[(\d+)\/(\d+)\]/.exec(line.trim());
  return m ? { done: Number(m[1]), total: Number(m[2]) } : null;
}

export interface BuildOptions {
  jobs: number;
  onLine?: (line: string) => void; // every line of the tools' output, for progress
}

/** Builds the tools into the place, idempotently: a complete build is left as it is. */
export async function buildLlamaTools(place: LlamaToolsPlace, run: RunProgram, options: BuildOptions, bundle = BUNDLE): Promise<{ built: boolean }> {
  if (toolsBuilt(place)) return { built: false };
  rmSync(place.dir, { recursive: true, force: true });
  mkdirSync(place.dir, { recursive: true });
  const src = join(place.dir, "src");
  const build = join(place.dir, "build");
  const line = options.onLine ?? (() => {});
  const step = async (what: string, program: string, args: string[]) => {
    try {
      await run(program, args, line);
    } catch (e) {
      throw new RefuteError("LLAMA_BUILD_FAILED", `llama.cpp tools: ${what} failed: ${(e as Error).message} (the build directory ${place.dir} is left for inspection; run setup again to start over)`, { step: what });
    }
  };
  await step("clone of the bundle", "git", ["clone", "-q", bundle, src]);
  await step("checkout of the bundle's commit", "git", ["-C", src, "checkout", "-q", place.commit]);
  await step("cmake configure", "cmake", ["-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DBUILD_SHARED_LIBS=OFF", ...FLAVORS[place.flavor].cmakeArgs]);
  await step("cmake build", "cmake", ["--build", build, "--parallel", String(options.jobs), "--target", ...place.tools]);
  const missing = place.tools.filter((t) => !existsSync(join(place.bin, t)));
  if (missing.length > 0) throw new RefuteError("LLAMA_BUILD_FAILED", `llama.cpp tools: the build ended without ${missing.join(", ")} in ${place.bin}`, { missing });
  writeFileSync(join(place.dir, ".complete"), `${JSON.stringify({ commit: place.commit, flavor: place.flavor, tools: place.tools, built_at: new Date().toISOString() })}\n`);
  return { built: true };
}

/** The path of a built tool, or null with the reason it is not there (for a blocked check). */
export function builtTool(place: LlamaToolsPlace, tool: LlamaTool): { path: string } | { blocked: string } {
  const setup = place.flavor === "default" ? SETUP_COMMAND : `${SETUP_COMMAND} --flavor ${place.flavor}`;
  if (!place.tools.includes(tool) || !toolsBuilt(place)) return { blocked: `llama.cpp's ${tool} is not built for the bundled llama.cpp ${place.commit.slice(0, 12)}${place.flavor === "default" ? "" : ` (${place.flavor})`} (${setup} builds it, about 10 minutes of CPU)` };
  return { path: join(place.bin, tool) };
}
