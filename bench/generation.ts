// The bench's generation test (`refute bench --prompts FILE`): each prompt's greedy
// continuation timed for the engine and llama.cpp on the same GGUF, repetitions alternating
// between them after `warmup` unmeasured runs each: time to first token (a one-token
// generation: tokenizing, prefill, one step) and decode throughput over the whole continuation.
// With `--verify` every timed output is checked while timing: each repetition's tokens equal,
// and equal to the oracle's for the prompt (F32), or within the seed's mismatch bounds
// (Q8_0 3/32, Q4_0 and Q4_K 5/32 of the tokens); a failed verification fails the bench.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RefuteError } from "../core/errors.ts";
import { countMismatches } from "../measures/tokens.ts";
import type { Quant, Runtime, SubjectSpec, TimedGeneration } from "../runtimes/runtime.ts";
import { mean, std } from "../runtimes/timing.ts";

const MAX_PROMPTS_BYTES = 1 << 20;

export interface BenchPrompt {
  name: string; // the oracle prompt it is, or "line N"
  text: string;
  oracleName: string | null;
}

/** The prompts of a file, one per line (blank lines skipped), each named after the oracle prompt whose text it is. */
export function readPrompts(file: string, oracleDir = "oracle"): BenchPrompt[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new RefuteError("E_USAGE", `--prompts ${file}: no such file`, { file });
  }
  if (size > MAX_PROMPTS_BYTES) throw new RefuteError("E_USAGE", `--prompts ${file}: ${size} bytes, over the limit of ${MAX_PROMPTS_BYTES}`, { file });
  const byText = new Map<string, string>();
  for (const f of readdirSync(join(oracleDir, "prompts")).filter((f) => f.endsWith(".txt"))) byText.set(readFileSync(join(oracleDir, "prompts", f), "utf8"), f.slice(0, -4));
  const prompts = readFileSync(file, "utf8")
    .split("\n")
    .map((line, i) => ({ line: line.replace(/\r$/, ""), i }))
    .filter(({ line }) => line.trim() !== "")
    .map(({ line, i }) => ({ name: byText.get(line) ?? `line ${i + 1}`, text: line, oracleName: byText.get(line) ?? null }));
  if (prompts.length === 0) throw new RefuteError("E_USAGE", `--prompts ${file}: no prompt (one per line)`, { file });
  return prompts;
}

/** Mismatched tokens allowed out of `n` at a quantization: the seed's 3/32 (8-bit) and 5/32 (4-bit), none at full precision. */
export function allowedMismatches(quant: Quant, n: number): number {
  if (quant === "q8_0") return Math.floor((3 * n) / 32);
  if (quant === "q4_0" || quant === "q4_k") return Math.floor((5 * n) / 32);
  return 0;
}

export interface GenerationVerification {
  reference: string; // the oracle record
  allowed: number;
  engine: number; // the most mismatches of any repetition
  llamacpp: number;
  deterministic: boolean; // every repetition of each runtime gave the same tokens
  ok: boolean;
}

export interface GenerationTiming {
  backend: string;
  threads: number;
  ttftMs: number; // mean time to first token
  ttftStdMs: number;
  meanTps: number; // generated tokens / second over the whole continuation
  stdTps: number;
  tokens: number; // how many it generated (fewer than asked where it stopped at end of sequence)
}

export interface GenerationRow {
  model: string;
  quant: Quant;
  prompt: string;
  test: string; // "gen32 code"
  engine: GenerationTiming;
  llamacpp: GenerationTiming;
  ratio: number; // engine tokens/s over llama.cpp's
  ttftRatio: number; // llama.cpp's time to first token over the engine's (above 1: the engine answers sooner)
  verify: GenerationVerification | null;
}

function timingOf(t: TimedGeneration): GenerationTiming {
  const tps = t.samplesMs.map((ms, i) => t.tokens[i].length / (ms / 1000));
  return { backend: t.backend, threads: t.threads, ttftMs: mean(t.firstTokenMs), ttftStdMs: std(t.firstTokenMs), meanTps: mean(tps), stdTps: std(tps), tokens: t.tokens[0]?.length ?? 0 };
}

const sameTokens = (runs: number[][]) => runs.every((r) => r.join(",") === runs[0].join(","));

/** The oracle record's tokens for `model` and the prompt, cut to `n`; null without one. */
function oracleTokens(oracleDir: string, model: string, prompt: BenchPrompt, n: number): { file: string; tokens: number[] } | null {
  if (!prompt.oracleName) return null;
  const file = join(oracleDir, model, `${prompt.oracleName}.json`);
  try {
    return { file, tokens: (JSON.parse(readFileSync(file, "utf8")) as { tokens: number[] }).tokens.slice(0, n) };
  } catch {
    return null;
  }
}

/** Why `--verify` cannot check `model` on these prompts (no oracle record, a prompt the oracle lacks, more tokens than it holds), or null. */
export function verificationProblem(oracleDir: string, model: string, prompts: BenchPrompt[], n: number): string | null {
  for (const p of prompts) {
    const record = oracleTokens(oracleDir, model, p, Number.POSITIVE_INFINITY);
    if (!record) return `no oracle record of ${model} for ${p.oracleName ? `prompt '${p.oracleName}'` : `${p.name} (${JSON.stringify(p.text.slice(0, 40))} is not an oracle prompt)`}`;
    if (record.tokens.length < n) return `the oracle of ${model} holds ${record.tokens.length} tokens for '${p.oracleName}'; --tokens asks for ${n}`;
  }
  return null;
}

export interface GenerationBenchOptions {
  model: string; // the zoo slug or name (oracle lookups)
  quant: Quant;
  prompts: BenchPrompt[];
  maxNewTokens: number;
  reps: number;
  warmup: number;
  verify: boolean;
  oracleDir: string;
}

/** One row per prompt; both runtimes on their subjects (the same GGUF), alternating repetitions. */
export async function benchGeneration(engine: Runtime, engineSpec: SubjectSpec, llamacpp: Runtime, llamacppSpec: SubjectSpec, o: GenerationBenchOptions): Promise<GenerationRow[]> {
  const rows: GenerationRow[] = [];
  for (const prompt of o.prompts) {
    const request = { prompt: prompt.text, maxNewTokens: o.maxNewTokens, reps: 1, warmup: 0 };
    await engine.timedGeneration?.(engineSpec, { ...request, reps: 0, warmup: o.warmup });
    await llamacpp.timedGeneration?.(llamacppSpec, { ...request, reps: 0, warmup: o.warmup });
    const mine: TimedGeneration[] = [];
    const theirs: TimedGeneration[] = [];
    for (let r = 0; r < o.reps; r++) {
      mine.push(await (engine.timedGeneration as NonNullable<Runtime["timedGeneration"]>)(engineSpec, request));
      theirs.push(await (llamacpp.timedGeneration as NonNullable<Runtime["timedGeneration"]>)(llamacppSpec, request));
    }
    const merge = (runs: TimedGeneration[]): TimedGeneration => ({ ...runs[0], firstTokenMs: runs.flatMap((x) => x.firstTokenMs), samplesMs: runs.flatMap((x) => x.samplesMs), tokens: runs.flatMap((x) => x.tokens) });
    const e = merge(mine);
    const l = merge(theirs);
    const engineTiming = timingOf(e);
    const llamacppTiming = timingOf(l);
    let verify: GenerationVerification | null = null;
    if (o.verify) {
      const record = oracleTokens(o.oracleDir, o.model, prompt, o.maxNewTokens);
      if (!record) throw new RefuteError("E_USAGE", `--verify: no oracle record of ${o.model} for ${prompt.name}`, { model: o.model });
      const allowed = allowedMismatches(o.quant, record.tokens.length);
      const worst = (runs: number[][]) => Math.max(...runs.map((r) => countMismatches(record.tokens, r)));
      const deterministic = sameTokens(e.tokens) && sameTokens(l.tokens);
      const engineMismatches = worst(e.tokens);
      const llamacppMismatches = worst(l.tokens);
      verify = { reference: record.file, allowed, engine: engineMismatches, llamacpp: llamacppMismatches, deterministic, ok: deterministic && engineMismatches <= allowed && llamacppMismatches <= allowed };
    }
    rows.push({
      model: o.model,
      quant: o.quant,
      prompt: prompt.name,
      test: `gen${o.maxNewTokens} ${prompt.name}`,
      engine: engineTiming,
      llamacpp: llamacppTiming,
      ratio: engineTiming.meanTps / llamacppTiming.meanTps,
      ttftRatio: llamacppTiming.ttftMs / engineTiming.ttftMs,
      verify,
    });
  }
  return rows;
}
