// `refute bench` (`pnpm bench`): llama-bench-style pp and tg for the engine and llama.cpp in
// one run, on the same GGUF and thread count, with the ratio engine / llama.cpp. Writes
// reports/bench.json (atomically) and appends one line to reports/history.jsonl.

import { appendFile, mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { RefuteError } from "../core/errors.ts";
import { writeAtomic } from "../core/atomic-write.ts";
import { gitSha, machineInfo } from "../gates/report.ts";
import { runBench, zooModels, type BenchReport } from "../bench/run.ts";
import { FILE_QUANTS, isOneOf, type FileQuant } from "../core/vocabulary.ts";
import { parseCommand, positiveInteger } from "./args.ts";
import { parseBackend } from "./backend.ts";

const HELP = `usage: refute bench [--models a,b] [--quants f32,q8_0,q4_0] [--reps 5] [--tokens 64,32]
                    [--threads N] [--backend cpu] [--qwen2] [--out reports]

llama-bench-style timings of the engine and llama.cpp (node-llama-cpp, CPU) in the same run,
on the same GGUF file and thread count: pp (prompt processing, one prompt of N tokens) and
tg (N tokens generated one at a time), repetitions alternating between the two, mean and
standard deviation of tokens/second, and the ratio engine / llama.cpp.

  --models   zoo slugs, synthetic:<shape> or .gguf files (default: every zoo model with
             weights, and synthetic:smollm-135m-shape, random weights with SmolLM-135M's shape)
  --qwen2    also synthetic:qwen2-0.5b-shape (about 2 GB at f32; slow)
  --tokens   pp,tg token counts, or one number for both (default 64,32; capped by the model's context)
  --reps     measured repetitions per runtime (default 5)
  --threads  threads of both runtimes (default: every core, as the engine runs; on a 2-core
             machine llama.cpp's tg varies more at 2 threads than at 1, so compare --threads 1 too)
  --backend  the engine's: cpu (default: the fastest CPU backend), cpu-wasm, cpu-ts or cuda;
             with cuda, llama.cpp runs its CUDA build (npm @node-llama-cpp/linux-x64-cuda),
             and a side that cannot run is listed as skipped with the reason
  --out      directory for bench.json and history.jsonl (default reports)`;


function list(value: unknown): string[] | null {
  return typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : null;
}

function parseTokens(value: unknown): [number, number] {
  if (value === undefined) return [64, 32];
  const parts = String(value).split(",").map(Number);
  const ok = parts.length >= 1 && parts.length <= 2 && parts.every((n) => Number.isSafeInteger(n) && n > 0);
  if (!ok) throw new RefuteError("E_USAGE", `--tokens expects <pp>,<tg> or one positive integer, found ${JSON.stringify(value)}`, { option: "tokens" });
  return [parts[0], parts[1] ?? parts[0]];
}

const si = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : String(n));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

export function renderTable(report: BenchReport): string {
  const header = ["model", "size", "params", "quant", "engine", "threads", "test", "engine t/s", "llama.cpp t/s", "engine/llama.cpp"];
  const rows = report.rows.map((r) => [
    r.model,
    mib(r.fileBytes),
    si(r.params),
    r.quant,
    r.engine.backend,
    `${r.engine.threads}/${r.llamacpp.threads}`,
    r.test,
    `${r.engine.meanTps.toFixed(2)} ± ${r.engine.stdTps.toFixed(2)}`,
    `${r.llamacpp.meanTps.toFixed(2)} ± ${r.llamacpp.stdTps.toFixed(2)}`,
    `${r.ratio.toFixed(3)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i: number) => i >= 7;
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w, i) => (numeric(i) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`, ...rows.map(line)];
  for (const s of report.skipped) out.push(`skipped ${s.model} ${s.quant}: ${s.reason}`);
  return out.join("\n");
}

/** Peak and settled RSS of a process per runtime and model, next to the file size. */
export function renderMemory(report: BenchReport): string {
  const mibs = (n: number) => `${n.toFixed(1)} MiB`;
  const lines = [
    "| model | quant | file | engine peak | engine after | llama.cpp peak | llama.cpp after | no model |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...report.memory.map((m) =>
      `| ${m.model} | ${m.quant} | ${mib(m.fileBytes)} | ${mibs(m.engine.peakMiB)} | ${mibs(m.engine.rssMiB)} | ${mibs(m.llamacpp.peakMiB)} | ${mibs(m.llamacpp.rssMiB)} | ${mibs(m.baseline.peakMiB)} |`,
    ),
  ];
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      models: { type: "string" },
      quants: { type: "string" },
      reps: { type: "string" },
      tokens: { type: "string" },
      threads: { type: "string" },
      qwen2: { type: "boolean" },
      backend: { type: "string" },
      out: { type: "string" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const models = list(values.models) ?? [...zooModels(), "synthetic:smollm-135m-shape"];
  if (values.qwen2) models.push("synthetic:qwen2-0.5b-shape");
  const asked = list(values.quants) ?? ["f32", "q8_0", "q4_0"];
  const quants = asked.filter((q): q is FileQuant => isOneOf(FILE_QUANTS, q));
  const unknown = asked.filter((q) => !isOneOf(FILE_QUANTS, q));
  if (unknown.length) throw new RefuteError("E_USAGE", `--quants: ${unknown.join(", ")} not among ${FILE_QUANTS.join(", ")}`, { option: "quants" });
  const [ppTokens, tgTokens] = parseTokens(values.tokens);
  const out = typeof values.out === "string" ? values.out : "reports";
  const backend = parseBackend(values);

  const startedAt = new Date().toISOString();
  const partial = await runBench({
    models,
    quants,
    reps: positiveInteger(values, "reps", 5),
    ppTokens,
    tgTokens,
    threads: positiveInteger(values, "threads", availableParallelism()),
    backend,
    log: (l) => process.stderr.write(`bench: ${l}\n`),
  });
  const m = machineInfo();
  const report: BenchReport = {
    ...partial,
    startedAt,
    finishedAt: new Date().toISOString(),
    gitSha: gitSha(),
    machine: { cpuModel: m.cpuModel, cpus: m.cpus, memoryGiB: m.memoryGiB, platform: m.platform, arch: m.arch, hostname: m.hostname },
    node: process.version,
  };
  console.log(renderTable(report));
  console.log(`\nmemory (RSS of one process per runtime and model: peak, and after decoding 8 tokens):\n${renderMemory(report)}`);
  console.log(`\nnote: ${report.settings.llamacppPath}`);
  console.log(`\ngit ${report.gitSha?.slice(0, 12) ?? "?"} | ${m.cpuModel}, ${m.cpus} cores | node ${process.version} | llama.cpp ${report.llamacpp?.release ?? "?"} | peak RSS ${report.peakRssMiB} MiB`);

  await mkdir(out, { recursive: true });
  await writeAtomic(join(out, "bench.json"), JSON.stringify(report, null, 2) + "\n");
  const history = {
    kind: "bench",
    gitSha: report.gitSha,
    time: report.finishedAt,
    machine: m.hostname,
    cpuModel: m.cpuModel,
    ratios: Object.fromEntries(report.rows.map((r) => [`${r.model}/${r.quant}/${r.test}`, Number(r.ratio.toFixed(4))])),
  };
  await appendFile(join(out, "history.jsonl"), JSON.stringify(history) + "\n");
  console.log(`wrote ${join(out, "bench.json")}, appended ${join(out, "history.jsonl")}`);
  return report.rows.length > 0 ? 0 : 1;
}
