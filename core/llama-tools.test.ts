// Building llama.cpp's tools: the steps in order (clone, checkout of the bundle's commit,
// configure without network, a build of the five targets), idempotent once complete, started
// over after a build that stopped midway, and a clear refusal (blocked reason, coded error)
// where a tool is missing. The real build is `refute setup llama.cpp`; here a recording
// runner stands in for git and cmake and writes the binaries a build would.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run as setup } from "../cli/setup.ts";
import { isRefuteError } from "./errors.ts";
import { buildLlamaTools, buildProgress, builtTool, LLAMA_TOOLS, type RunProgram, toolsBuilt, toolsPlace } from "./llama-tools.ts";

const cache = mkdtempSync(join(tmpdir(), "refute-llama-tools-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const COMMIT = "de3ff815ea7d559ee917f063901b8986f038abc6";

/** Records each program run; cmake --build writes the targets it was asked for (all but `leaveOut`). */
function recorder(leaveOut: string[] = []): { runner: RunProgram; calls: string[] } {
  const calls: string[] = [];
  const runner: RunProgram = async (program, args, onLine) => {
    calls.push(`${program} ${args.join(" ")}`);
    if (program === "cmake" && args[0] === "--build") {
      const bin = join(args[1], "bin");
      mkdirSync(bin, { recursive: true });
      const targets = args.slice(args.indexOf("--target") + 1);
      targets.forEach((t, i) => {
        onLine(`[${i + 1}/${targets.length}] Linking CXX executable bin/${t}`);
        if (!leaveOut.includes(t)) writeFileSync(join(bin, t), "");
      });
    }
  };
  return { runner, calls };
}

describe("llama.cpp's tools", () => {
  it("builds in four steps from the bundle, configured without network, only the five tools", async () => {
    const place = toolsPlace(COMMIT, cache);
    const { runner, calls } = recorder();
    const lines: string[] = [];
    expect(await buildLlamaTools(place, runner, { jobs: 2, onLine: (l) => lines.push(l) }, "/bundle")).toEqual({ built: true });
    expect(calls.map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["git clone", "git -C", "cmake -S", "cmake --build"]);
    expect(calls[1]).toContain(`checkout -q ${COMMIT}`);
    expect(calls[2]).toContain("-DLLAMA_CURL=OFF");
    expect(calls[2]).toContain("-DLLAMA_BUILD_TESTS=OFF");
    expect(calls[3]).toMatch(new RegExp(`--parallel 2 --target ${LLAMA_TOOLS.join(" ")}$`));
    expect(lines.map(buildProgress).at(-1)).toEqual({ done: 5, total: 5 });
    expect(toolsBuilt(place)).toBe(true);
    expect(builtTool(place, "llama-server")).toEqual({ path: join(place.bin, "llama-server") });
  });

  it("the no-amx flavour builds llama-bench alone, without AMX, beside the default build", async () => {
    const place = toolsPlace(COMMIT, cache, "no-amx");
    expect(place.dir).toBe(join(cache, `${COMMIT.slice(0, 12)}-noamx`));
    const { runner, calls } = recorder();
    expect(await buildLlamaTools(place, runner, { jobs: 1 }, "/bundle")).toEqual({ built: true });
    expect(calls[2]).toContain("-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16");
    expect(calls[2]).toContain("-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16");
    expect(calls[3]).toMatch(/--target llama-bench$/);
    expect(toolsBuilt(place)).toBe(true);
    expect(builtTool(place, "llama-server")).toEqual({ blocked: expect.stringMatching(/not built .*\(no-amx\).*--flavor no-amx/) });
  });

  it("is left as it is once complete: a second build runs nothing", async () => {
    const { runner, calls } = recorder();
    expect(await buildLlamaTools(toolsPlace(COMMIT, cache), runner, { jobs: 2 }, "/bundle")).toEqual({ built: false });
    expect(calls).toEqual([]);
  });

  it("refuses a build that ended without a tool, and leaves no marker, so the next one starts over", async () => {
    const place = toolsPlace("1".repeat(40), cache);
    const { runner } = recorder(["llama-bench"]);
    let error: unknown;
    try {
      await buildLlamaTools(place, runner, { jobs: 1 }, "/bundle");
    } catch (e) {
      error = e;
    }
    expect(isRefuteError(error) && error.code).toBe("LLAMA_BUILD_FAILED");
    expect((error as Error).message).toMatch(/without llama-bench/);
    expect(existsSync(join(place.dir, ".complete"))).toBe(false);
    expect(builtTool(place, "llama-bench")).toEqual({ blocked: expect.stringMatching(/llama-bench is not built .*pnpm refute setup llama\.cpp/) });
    const again = recorder();
    expect(await buildLlamaTools(place, again.runner, { jobs: 1 }, "/bundle")).toEqual({ built: true });
    expect(again.calls[0]).toMatch(/^git clone/);
  });

  it("a failing step is a coded error naming the step", async () => {
    const failing: RunProgram = async (program) => {
      if (program === "cmake") throw new Error("cmake exited 1");
    };
    await expect(buildLlamaTools(toolsPlace("2".repeat(40), cache), failing, { jobs: 1 }, "/bundle")).rejects.toThrow(/cmake configure failed: cmake exited 1/);
  });

  it("refute setup llama.cpp --help says what it builds and how long it takes", async () => {
    const out: string[] = [];
    expect(await setup(["llama.cpp", "--help"], { out: (t) => out.push(t), err: () => {} })).toBe(0);
    const help = out.join("\n").replace(/\s+/g, " ");
    for (const tool of LLAMA_TOOLS) expect(help).toContain(tool);
    expect(help).toContain("About 10 minutes of CPU");
  });
});
