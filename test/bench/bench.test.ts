// The bench harness on a tiny model: both runtimes timed on the same file, every sample kept,
// the ratio computed, bench.json written whole and one history line appended per run. And
// the synthetic models: the real shapes, deterministic bytes.

import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run as benchCommand, streamMiB, withoutNodeOption } from "../../cli/bench.ts";
import { SYNTHETIC_SHAPES, syntheticSource } from "../../bench/synthetic.ts";
import { writeGguf } from "../../engine/formats/gguf/write.ts";
import { ggufFromSource } from "../../engine/model/gguf-export.ts";
import { tempDir } from "../gates/helpers.ts";
import { tinyGguf } from "../runtimes/tiny-model.ts";

describe("pnpm bench", () => {
  it("times pp and tg for the engine and llama.cpp on one file and writes bench.json and a history line", async () => {
    const model = tinyGguf("llama", "q8_0");
    const out = tempDir("refute-bench-");
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => logged.push(line);
    try {
      for (let i = 0; i < 2; i++) expect(await benchCommand(["--models", model, "--quants", "q8_0", "--reps", "2", "--tokens", "8,4", "--stream-mib", "16", "--out", out])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(readdirSync(out).sort()).toEqual(["bench.json", "history.jsonl"]);
    const report = JSON.parse(readFileSync(join(out, "bench.json"), "utf8"));
    expect(report.rows.map((r: { test: string }) => r.test)).toEqual(["pp8", "tg4"]);
    for (const row of report.rows) {
      expect(row.file).toBe(model);
      expect(row.engine.samplesMs).toHaveLength(2);
      expect(row.llamacpp.samplesMs).toHaveLength(2);
      expect(row.ratio).toBeCloseTo(row.engine.meanTps / row.llamacpp.meanTps, 10);
      expect(row.params).toBeGreaterThan(0);
      expect(row.fileBytes).toBeGreaterThan(0);
      // native llama-bench: its timing where the tools are built and the test runs here, else the reason
      // (one llama-bench run a round, between the others' repetitions: one sample per repetition)
      if ("meanTps" in row.native) expect([row.native.samplesTps.length, row.nativeRatio]).toEqual([2, expect.closeTo(row.engine.meanTps / row.native.meanTps, 10)]);
      else expect([row.native.blocked, row.nativeRatio]).toEqual([expect.stringMatching(/llama-bench/), null]);
    }
    // the stream reference, on the bench's threads; tg rows give the GB/s decoding streams and its share of it
    expect(report.stream).toEqual({ threads: availableParallelism(), bytes: 16 * 2 ** 20 });
    const [pp, tg] = report.rows;
    expect([pp.decodeBytes, pp.streamGBps, pp.streamReference, pp.streamShare]).toEqual([null, null, null, null]);
    expect(tg.decodeBytes).toBeGreaterThan(0);
    expect(tg.decodeBytes).toBeLessThanOrEqual(tg.fileBytes);
    expect(tg.streamGBps.engine).toBeCloseTo((tg.engine.meanTps * tg.decodeBytes) / 1e9, 10);
    // one reference a round, beside the runtimes' repetitions
    expect(tg.streamReference.samplesGBps).toHaveLength(2);
    expect(tg.streamReference.meanGBps).toBeCloseTo((tg.streamReference.samplesGBps[0] + tg.streamReference.samplesGBps[1]) / 2, 10);
    expect(tg.streamShare.llamacpp).toBeCloseTo(tg.streamGBps.llamacpp / tg.streamReference.meanGBps, 10);
    expect(logged.join("\n")).toMatch(/stream reference: 16\.00 MiB read on \d+ threads?, once a tg round/);
    // no --threads: every core, for both
    expect(report.settings.threads).toEqual({ engine: availableParallelism(), llamacpp: availableParallelism() });
    for (const row of report.rows) expect([row.engine.threads, row.llamacpp.threads]).toEqual([availableParallelism(), availableParallelism()]);
    // memory: one process per runtime, each measured (a failed probe would be listed as skipped)
    expect(report.memory).toHaveLength(1);
    const [memory] = report.memory;
    expect(memory.fileBytes).toBe(report.rows[0].fileBytes);
    for (const p of [memory.engine, memory.llamacpp, memory.baseline]) expect(p.rssMiB).toBeGreaterThan(0);
    expect(report.machine.cpus).toBeGreaterThan(0);
    const history = readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(history).toHaveLength(2);
    expect(Object.keys(history[0].ratios)).toEqual([`${model}/q8_0/pp8`, `${model}/q8_0/tg4`]);
    expect(logged.join("\n")).toMatch(/\| model .*\| engine\/llama\.cpp \|/);
    expect(logged.join("\n")).toMatch(/\| model \| quant \| file \| engine peak /);
  }, 60_000);

  it("--node runs the same bench under that Node.js (bench.json records its version); --no-native leaves native llama-bench out", async () => {
    const out = tempDir("refute-bench-");
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(await benchCommand(["--node", process.execPath, "--models", tinyGguf("llama", "q8_0"), "--quants", "q8_0", "--reps", "1", "--tokens", "4", "--no-native", "--stream-mib", "0", "--out", out], io)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "bench.json"), "utf8"));
    expect(report.node).toBe(process.version);
    // --stream-mib 0: no reference, so each tg row gives its GB/s without a share
    expect(report.stream).toEqual({ blocked: "not asked for (--stream-mib 0)" });
    expect(report.rows[1].streamGBps.engine).toBeGreaterThan(0);
    expect(report.rows[1].streamShare).toBeNull();
    expect(report.rows.map((r: { native: unknown }) => r.native)).toEqual([{ blocked: "native llama-bench not asked for" }, { blocked: "native llama-bench not asked for" }]);
    expect(lines.join("\n")).toMatch(new RegExp(`running under Node.js ${process.version}`));
    expect(lines.join("\n")).toMatch(/\| model .*\| engine\/native \|/);
  }, 60_000);

  it("times a .gguf file only at its own quantization: the others are skipped with the file's type named, never timed under their label", async () => {
    const out = tempDir("refute-bench-");
    const model = tinyGguf("llama", "q8_0");
    expect(await benchCommand(["--models", model, "--quants", "f32,q8_0", "--reps", "1", "--tokens", "4", "--no-native", "--stream-mib", "0", "--out", out], { out: () => {}, err: () => {} })).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "bench.json"), "utf8"));
    expect([...new Set(report.rows.map((r: { quant: string }) => r.quant))]).toEqual(["q8_0"]);
    expect(report.skipped).toEqual([{ model, quant: "f32", reason: expect.stringMatching(/holds q8_0 weights; the check asks for quant f32/) }]);
  }, 60_000);

  it("--node that is not a Node.js binary: a usage error naming it", async () => {
    const err: string[] = [];
    expect(await benchCommand(["--node", "/nonexistent/node"], { out: () => {}, err: (t) => err.push(t) })).toBe(2);
    expect(err.join("\n")).toMatch(/--node \/nonexistent\/node: not a Node.js binary that runs here.*install\.sh 24.*\[E_USAGE\]/s);
  });

  it.each(["5000", "4096"])("--stream-mib %s, past 4095 MiB (a region that would end at byte 2^32 of the 32-bit memory) or a quarter of the machine's memory: a usage error naming the limit, nothing run", async (mib) => {
    const err: string[] = [];
    expect(await benchCommand(["--stream-mib", mib], { out: () => {}, err: (t) => err.push(t) })).toBe(2);
    expect(err.join("\n")).toMatch(new RegExp(`--stream-mib <n>' argument '${mib}' is invalid\\. Expected at most \\d+ MiB \\(4095, the most a 32-bit memory holds whole, and a quarter of this machine's \\d+ MiB`));
  });

  it("--stream-mib's bound on a 32 GiB machine is 4095 MiB (the 32-bit memory), on an 8 GiB one 2048 (a quarter)", () => {
    expect(streamMiB("4095", 32 * 2 ** 30)).toBe(4095);
    expect(() => streamMiB("4096", 32 * 2 ** 30)).toThrow(/Expected at most 4095 MiB/);
    expect(streamMiB("2048", 8 * 2 ** 30)).toBe(2048);
    expect(() => streamMiB("2049", 8 * 2 ** 30)).toThrow(/Expected at most 2048 MiB .*8192 MiB/);
    expect(streamMiB("0", 8 * 2 ** 30)).toBe(0);
  });

  it("withoutNodeOption drops --node and its value in both spellings, nothing else", () => {
    expect(withoutNodeOption(["--models", "m", "--node", "/n", "--reps", "2", "--node=/m"])).toEqual(["--models", "m", "--reps", "2"]);
  });

  it("--backend cuda without a device: nothing timed, the reason listed, exit 1", async () => {
    const out = tempDir("refute-bench-");
    const log = console.log;
    console.log = () => {};
    try {
      expect(await benchCommand(["--models", tinyGguf("llama", "q8_0"), "--quants", "q8_0", "--reps", "1", "--tokens", "4", "--backend", "cuda", "--stream-mib", "0", "--out", out])).toBe(1);
    } finally {
      console.log = log;
    }
    const report = JSON.parse(readFileSync(join(out, "bench.json"), "utf8"));
    expect(report.settings.backend).toBe("cuda");
    expect(report.rows).toEqual([]);
    expect(report.skipped[0].reason).toMatch(/no CUDA device/);
  }, 60_000);

  it("rejects bad options with a usage error (exit 2) naming the option and what was expected", async () => {
    const usage = async (argv: string[]) => {
      const err: string[] = [];
      expect(await benchCommand(argv, { out: () => {}, err: (t) => err.push(t) }), argv.join(" ")).toBe(2);
      return err.join("\n");
    };
    expect(await usage(["--backend", "tpu"])).toMatch(/option '--backend <name>' argument 'tpu' is invalid\. Allowed choices are cpu, cpu-wasm, cpu-ts, cuda\..*\[E_USAGE\]/);
    expect(await usage(["--tokens", "0"])).toMatch(/option '--tokens <pp,tg>' argument '0' is invalid\. Expected a positive integer/);
    expect(await usage(["--tokens", "8,4,2"])).toMatch(/Expected <pp>,<tg> or one count for both/);
    expect(await usage(["--quants", "f32,q5_1"])).toMatch(/option '--quants <list>' argument 'f32,q5_1' is invalid\. Allowed choices are f32, bf16, f16, q8_0, q4_0, q4_k\./);
  });
});

describe("synthetic models", () => {
  it("have the checkpoints' shapes: SmolLM-135M has about 135M parameters, Qwen2-0.5B about 494M, TinyLlama about 1.1B, Qwen2-1.5B about 1.54B with head_dim 128", () => {
    const params = (slug: string) => {
      const c = SYNTHETIC_SHAPES[slug].config as Record<string, number>;
      const kv = (c.hidden_size / c.num_attention_heads) * c.num_key_value_heads;
      const layer = 2 * c.hidden_size * c.hidden_size + 2 * kv * c.hidden_size + 3 * c.hidden_size * c.intermediate_size;
      return c.vocab_size * c.hidden_size + c.num_hidden_layers * layer;
    };
    expect(params("smollm-135m-shape") / 1e6).toBeCloseTo(134.5, 0);
    expect(params("qwen2-0.5b-shape") / 1e6).toBeCloseTo(494.0, -1);
    expect(params("qwen2-1.5b-shape") / 1e6).toBeCloseTo(1543.6, 0);
    const q15 = SYNTHETIC_SHAPES["qwen2-1.5b-shape"].config as Record<string, number>;
    expect(q15.hidden_size / q15.num_attention_heads).toBe(128);
    // TinyLlama's output matrix is its own (untied): one more vocab x hidden
    const c = SYNTHETIC_SHAPES["tinyllama-1.1b-shape"].config as Record<string, number>;
    expect((params("tinyllama-1.1b-shape") + c.vocab_size * c.hidden_size) / 1e6).toBeCloseTo(1100.0, -1);
  });

  it("are deterministic: the same seed gives the same GGUF bytes, another seed other weights", () => {
    const tiny = { vocab_size: 1024, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1 };
    const bytes = (seed: number) => writeGguf(ggufFromSource(syntheticSource(SYNTHETIC_SHAPES["smollm-135m-shape"], { seed, config: tiny }), "t", "f32"));
    expect(Buffer.compare(bytes(1), bytes(1))).toBe(0);
    expect(Buffer.compare(bytes(1), bytes(2))).not.toBe(0);
  });
});
