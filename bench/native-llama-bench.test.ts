import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LLAMA_TOOLS, toolsPlace } from "../core/llama-tools.ts";
import { joinNativeRounds, nativePlace, nativeResult, parseNativeLine, runNativeBench } from "./native-llama-bench.ts";

const PP = { file: "m.gguf", kind: "pp", tokens: 64, reps: 2, threads: 1 } as const;
const line = (fields: Record<string, unknown>) => JSON.stringify({ build_commit: "de3ff81", n_prompt: 64, n_gen: 0, n_threads: 1, avg_ts: 330.5, stddev_ts: 2.5, samples_ts: [328, 333], ...fields });

describe("parseNativeLine", () => {
  it("reads llama-bench's jsonl result: samples, mean and deviation in tokens per second", () => {
    expect(parseNativeLine(line({}), PP)).toEqual({ backend: "llama.cpp native (llama-bench de3ff81)", threads: 1, samplesTps: [328, 333], meanTps: 330.5, stdTps: 2.5 });
  });

  it("refuses a result for another test or thread count, and lines that are not results", () => {
    expect(parseNativeLine(line({ n_prompt: 32 }), PP)).toEqual({ blocked: expect.stringMatching(/ran 32 tokens on 1 threads, asked 64 on 1/) });
    expect(parseNativeLine(line({ n_threads: 2 }), PP)).toHaveProperty("blocked");
    expect(parseNativeLine(line({ samples_ts: ["fast"] }), PP)).toHaveProperty("blocked");
    expect(parseNativeLine(line({ avg_ts: null }), PP)).toHaveProperty("blocked");
    expect(parseNativeLine("Segmentation fault", PP)).toEqual({ blocked: expect.stringMatching(/not JSON/) });
    expect(parseNativeLine("null", PP)).toHaveProperty("blocked");
  });
});

describe("nativeResult", () => {
  it("a killed or failed run is blocked with the signal or exit code and its last message", () => {
    expect(nativeResult({ signal: "SIGSEGV", stdout: "", stderr: "load ok\n" }, PP)).toEqual({ blocked: "llama-bench pp64 was killed by SIGSEGV: load ok" });
    expect(nativeResult({ exitCode: 1, stdout: "", stderr: "error: failed to load model" }, PP)).toEqual({ blocked: "llama-bench pp64 exited 1: error: failed to load model" });
    expect(nativeResult({ exitCode: 0, stdout: "", stderr: "", timedOut: true }, PP)).toHaveProperty("blocked");
    expect(nativeResult({ exitCode: 0, stdout: "\n", stderr: "" }, PP)).toEqual({ blocked: "llama-bench printed no result" });
  });
});

describe("joinNativeRounds", () => {
  const round = (samplesTps: number[]) => ({ backend: "llama.cpp native (llama-bench de3ff81)", threads: 2, samplesTps, meanTps: samplesTps[0], stdTps: 0 });

  it("one timing of every round's samples in order: their mean and sample standard deviation", () => {
    expect(joinNativeRounds([round([100]), round([110]), round([120])])).toEqual({ backend: "llama.cpp native (llama-bench de3ff81)", threads: 2, samplesTps: [100, 110, 120], meanTps: 110, stdTps: 10 });
  });

  it("a round that could not run blocks the whole test with its reason; no rounds is blocked too", () => {
    expect(joinNativeRounds([round([100]), { blocked: "llama-bench tg32 was killed by SIGSEGV" }, round([120])])).toEqual({ blocked: "llama-bench tg32 was killed by SIGSEGV" });
    expect(joinNativeRounds([])).toHaveProperty("blocked");
  });
});

describe("runNativeBench", () => {
  /** A tools place whose llama-bench is a shell script. */
  const placeWith = (script: string) => {
    const cache = mkdtempSync(join(tmpdir(), "native-bench-"));
    const place = toolsPlace("c".repeat(40), cache);
    mkdirSync(place.bin, { recursive: true });
    for (const tool of LLAMA_TOOLS) writeFileSync(join(place.bin, tool), "#!/bin/sh\nexit 1\n");
    writeFileSync(join(place.bin, "llama-bench"), `#!/bin/sh\n${script}\n`);
    chmodSync(join(place.bin, "llama-bench"), 0o755);
    writeFileSync(join(place.dir, ".complete"), "{}\n");
    return place;
  };

  it("passes the file, the test's token count, repetitions and threads, and reads its result", async () => {
    // the fake prints the arguments it got inside a result, so the test sees what was asked
    const place = placeWith(`echo '{"build_commit":"fake","n_prompt":'"$4"',"n_gen":'"$6"',"n_threads":'"${"$"}{10}"',"avg_ts":100,"stddev_ts":1,"samples_ts":[99,101],"args":"'"$*"'"}'`);
    const result = await runNativeBench(place, { file: "/m.gguf", kind: "tg", tokens: 32, reps: 3, threads: 2 });
    expect(result).toEqual({ backend: "llama.cpp native (llama-bench fake)", threads: 2, samplesTps: [99, 101], meanTps: 100, stdTps: 1 });
  });

  it("a crash (SIGSEGV) is a blocked test with the signal, never a number", async () => {
    const place = placeWith("echo 'ggml_backend_amx_mul_mat' >&2; kill -SEGV $$");
    expect(await runNativeBench(place, PP)).toEqual({ blocked: "llama-bench pp64 was killed by SIGSEGV: ggml_backend_amx_mul_mat" });
  });

  it("the no-AMX flavour is the reference where it is built, and its rows say so", async () => {
    const cache = mkdtempSync(join(tmpdir(), "native-bench-"));
    const commit = "e".repeat(40);
    expect(nativePlace(commit, cache).flavor).toBe("default");
    const place = toolsPlace(commit, cache, "no-amx");
    mkdirSync(place.bin, { recursive: true });
    writeFileSync(join(place.bin, "llama-bench"), `#!/bin/sh\necho '${line({})}'\n`);
    chmodSync(join(place.bin, "llama-bench"), 0o755);
    writeFileSync(join(place.dir, ".complete"), "{}\n");
    expect(nativePlace(commit, cache)).toEqual(place);
    expect(await runNativeBench(place, PP)).toMatchObject({ backend: "llama.cpp native (llama-bench de3ff81, no-amx)", meanTps: 330.5 });
  });

  it("tools not built: blocked with the command that builds them", async () => {
    const place = toolsPlace("d".repeat(40), mkdtempSync(join(tmpdir(), "native-bench-")));
    expect(await runNativeBench(place, PP)).toEqual({ blocked: expect.stringMatching(/not built .*pnpm refute setup llama\.cpp/) });
  });
});
