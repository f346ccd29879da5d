// `refute kv` end to end, in process, on a tiny random GGUF (head_dim 32): extract ->
// compress -> decompress round trip, the printed metrics and statistics, --help on every
// subcommand, and a clear error (exit 2, with its code) for each kind of bad input; validate
// on the zoo's tiny-llama, whose float32 perplexity the oracle knows.

import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureConsole } from "../test/cli/capture-console.ts";
import { decodeCompressedKv } from "../engine/kv/compressed.ts";
import { readKvCacheFiles } from "../engine/kv/file.ts";
import { tinyGguf } from "../test/runtimes/tiny-model.ts";
import { main } from "./main.ts";

const { out, err } = captureConsole();

const dir = mkdtempSync(join(tmpdir(), "refute-kv-cli-"));
const model = tinyGguf("llama", "f32", { hidden_size: 128 }); // 2 layers, 2 kv heads, head_dim 32
const cache = join(dir, "cache.safetensors");
const json = () => JSON.parse(out[out.length - 1]);

async function extracted(): Promise<string> {
  if (!existsSync(cache)) expect(await main(["kv", "extract", "--model", model, "--prompt", "The capital of France is Paris.", "-o", cache])).toBe(0);
  return cache;
}

describe("refute kv", () => {
  it("extract writes the cache and its metadata JSON beside it", async () => {
    await extracted();
    const metadata = JSON.parse(readFileSync(join(dir, "cache.metadata.json"), "utf8"));
    expect(metadata).toMatchObject({ num_layers: 2, num_kv_heads: 2, head_dim: 32, dtype: "float32", model });
    expect(metadata.seq_len).toBeGreaterThan(3);
    expect(readKvCacheFiles(cache).keys).toHaveLength(2);
  });

  it("compress --json prints the seed's metrics; int8 group 32 is 3.76x and EXCELLENT", async () => {
    const out8 = join(dir, "int8.safetensors");
    expect(await main(["kv", "compress", await extracted(), "-o", out8, "--group-size", "32", "--bits", "8", "--json"])).toBe(0);
    const r = json();
    expect(r.compression_ratio).toBeCloseTo(128 / 34, 9);
    expect(r.original_size_bytes / r.compressed_size_bytes).toBeCloseTo(r.compression_ratio, 12);
    expect(r).toMatchObject({ quality_level: "EXCELLENT", passed: true, violations: [], bits: 8, group_size: 32, sparsity: 0 });
    for (const k of ["rmse", "snr_db", "cosine_similarity", "max_error", "processing_time_ms"]) expect(typeof r[k], k).toBe("number");
    expect(r.snr_db).toBeGreaterThan(40);
    expect(r.tensors).toHaveLength(4);
  });

  it("compress prints every metric for a person; decompress round trips to what the compressed file decodes to", async () => {
    const out4 = join(dir, "int4.safetensors");
    expect(await main(["kv", "compress", await extracted(), "-o", out4, "--group-size", "32", "--bits", "4", "--sparsity", "0.25"])).toBe(0);
    const text = out.join("\n");
    for (const label of ["compression ratio", "RMSE", "SNR", "cosine similarity", "max abs error", "quality", "processing time"]) expect(text).toContain(label);
    expect(text).toMatch(/bytes of tensor data/);
    const back = join(dir, "back.safetensors");
    expect(await main(["kv", "decompress", out4, "-o", back])).toBe(0);
    const restored = readKvCacheFiles(back);
    const decoded = decodeCompressedKv(readFileSync(out4), out4);
    expect(restored.metadata).toEqual(readKvCacheFiles(cache).metadata);
    expect(restored.keys).toEqual(decoded.keys);
    expect(restored.values).toEqual(decoded.values);
    // The restored cache is a cache file again: it compresses like any other.
    expect(await main(["kv", "compress", back, "-o", join(dir, "again.safetensors"), "--group-size", "32", "--bits", "8", "--json"])).toBe(0);
  });

  it("exits 1 with the violated floors when the quality is below --min-quality", async () => {
    expect(await main(["kv", "compress", await extracted(), "-o", join(dir, "sparse.safetensors"), "--group-size", "32", "--bits", "4", "--sparsity", "0.9", "--json"])).toBe(1);
    expect(json()).toMatchObject({ quality_level: "POOR", passed: false });
    expect(json().violations[0]).toMatch(/^SNR .* dB < 12 dB$/);
    expect(await main(["kv", "compress", cache, "-o", join(dir, "g.safetensors"), "--group-size", "32", "--bits", "4", "--min-quality", "excellent"])).toBe(1);
    expect(out.join("\n")).toMatch(/below EXCELLENT: SNR/);
  });

  it("stats gives the shape, the size and the value statistics the cache's own values have", async () => {
    const input = await extracted();
    expect(await main(["kv", "stats", input, "--json"])).toBe(0);
    const r = json();
    const c = readKvCacheFiles(input);
    const values = [...c.keys, ...c.values].flatMap((t) => [...t]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(r).toMatchObject({ num_layers: 2, num_kv_heads: 2, head_dim: 32, dtype: "float32", total_elements: values.length, total_bytes: 4 * values.length, total_mb: (4 * values.length) / 2 ** 20 });
    expect(r.all.mean).toBeCloseTo(mean, 9);
    expect(r.all.min).toBe(Math.min(...values));
    expect(r.all.max).toBe(Math.max(...values));
    expect(r.keys.elements + r.values.elements).toBe(values.length);
    expect(await main(["kv", "stats", input])).toBe(0);
    expect(out.slice(-5).join("\n")).toMatch(/values, \d+ bytes \([\d.]+ MB\)[\s\S]*keys .*mean .*std .*min .*max/);
  });

  it("compress without -o prints the metrics and writes nothing", async () => {
    const before = new Set(readdirSync(dir));
    expect(await main(["kv", "compress", await extracted(), "--group-size", "32", "--bits", "8", "--json"])).toBe(0);
    expect(json()).toMatchObject({ output: null, quality_level: "EXCELLENT" });
    expect(json().compression_ratio).toBeCloseTo(128 / 34, 9);
    expect(new Set(readdirSync(dir))).toEqual(before);
  });

  it("validate prints one perplexity result; int8 passes 0.5, an int4 cache three quarters sparse fails a tight one", async () => {
    const args = ["kv", "validate", "--model", "tiny-llama", "--ppl", "--json"];
    expect(await main([...args, "--bits", "8", "--group-size", "32"])).toBe(0);
    const ok = json();
    // the float32 baseline is the oracle's perplexity (reference, outside the engine) of the same text and windows
    const oracle = JSON.parse(readFileSync("oracle/ppl/tiny-llama.json", "utf8"));
    expect(ok.window).toBe(oracle.window);
    expect(Math.abs(ok.baseline_perplexity - oracle.perplexity) / oracle.perplexity).toBeLessThan(1e-3);
    expect(ok).toMatchObject({ passed: true, threshold: 0.5, bits: 8, group_size: 32, sparsity: 0 });
    expect(ok.delta).toBeCloseTo(ok.compressed_perplexity - ok.baseline_perplexity, 12);
    expect(ok.delta_percent).toBeCloseTo((ok.delta / ok.baseline_perplexity) * 100, 9);
    expect(ok.compression_ratio).toBeCloseTo(128 / 34, 9);
    // a short text (the first 2,000 characters) keeps the failing case quick
    const short = join(dir, "short.txt");
    writeFileSync(short, readFileSync("oracle/ppl/heldout.txt", "utf8").slice(0, 2000));
    expect(await main([...args, "--text-file", short, "--bits", "4", "--group-size", "32", "--sparsity", "0.75", "--threshold", "0.001"])).toBe(1);
    const bad = json();
    expect(bad.passed).toBe(false);
    expect(bad.delta).toBeGreaterThanOrEqual(0.001);
    expect(bad.snr_db).toBeLessThan(ok.snr_db);
  }, 120_000);

  it("--help on every subcommand", async () => {
    for (const sub of [["kv", "--help"], ["kv", "extract", "--help"], ["kv", "stats", "--help"], ["kv", "compress", "--help"], ["kv", "decompress", "-h"], ["kv", "validate", "--help"]]) {
      out.length = 0;
      expect(await main(sub)).toBe(0);
      expect(out.join("\n")).toMatch(/^Usage: refute kv/);
    }
    expect(out.join("\n")).toContain("float32");
  });

  it("bad input: a clear error with its code and exit 2", async () => {
    const input = await extracted();
    const failure = async (argv: string[]) => {
      err.length = 0;
      expect(await main(["kv", ...argv]), argv.join(" ")).toBe(2);
      return err.join("\n");
    };
    const o = ["-o", join(dir, "x.safetensors")];
    expect(await failure(["compress", input, ...o, "--group-size", "64", "--bits", "8"])).toMatch(/group size 64 does not divide head_dim 32.*\[KV_GROUP_NOT_DIVIDING\]/);
    expect(await failure(["compress", input, ...o, "--group-size", "32", "--bits", "3"])).toMatch(/option '--bits <n>' argument '3' is invalid\. Allowed choices are 8, 4\..*\[E_USAGE\]/s);
    expect(await failure(["compress", input, ...o, "--group-size", "32", "--bits", "8", "--sparsity", "1"])).toMatch(/option '--sparsity <r>' argument '1' is invalid\. Expected a ratio in \[0, 1\)/);
    expect(await failure(["compress", input, ...o, "--bits", "8"])).toMatch(/required option '--group-size <n>' not specified/);
    expect(await failure(["compress", input, input, ...o, "--group-size", "32", "--bits", "8"])).toMatch(/too many arguments for 'compress'\. Expected 1 argument but got 2/);
    expect(await failure(["squeeze"])).toMatch(/unknown command 'squeeze'/);
    expect(await failure(["extract", "--model", model, "-o", join(dir, "y.safetensors")])).toMatch(/required option '--prompt <text>' not specified/);

    const orphan = join(dir, "orphan.safetensors");
    writeFileSync(orphan, readFileSync(input));
    expect(await failure(["compress", orphan, ...o, "--group-size", "32", "--bits", "8"])).toMatch(/orphan.metadata.json is missing.*\[KV_METADATA_MISSING\]/);
    const reshaped = join(dir, "reshaped.safetensors");
    writeFileSync(reshaped, readFileSync(input));
    const metadata = JSON.parse(readFileSync(join(dir, "cache.metadata.json"), "utf8"));
    writeFileSync(join(dir, "reshaped.metadata.json"), JSON.stringify({ ...metadata, num_kv_heads: 4 }));
    expect(await failure(["compress", reshaped, ...o, "--group-size", "32", "--bits", "8"])).toMatch(/tensor layer_0_key has shape \[2,\d+,32\], expected .*\[KV_BAD_SHAPE\]/);
    expect(await failure(["decompress", input, ...o])).toMatch(/not a compressed KV cache.*\[KV_NOT_COMPRESSED\]/);
  });
});
