// The HTML report's two charts as inline SVG (no script, no network): the score over the
// history as a line, and the bench as bars, the engine beside llama.cpp (node-llama-cpp, and
// native llama-bench where it ran) on the same file. Each chart has a <title> and a data table
// beside it, so a screen reader gets the numbers and not a picture.

import type { BenchReport, BenchRow } from "../bench/run.ts";
import { streamFigure } from "../bench/stream-figure.ts";
import { escapeHtml } from "./html-escape.ts";
import type { HistoryLine } from "./write.ts";

const W = 640;
const H = 180;
const PAD = 32;

/** The score (0..1) of every run in the history that scored, oldest first, as a polyline with a point per run. */
export function scoreHistoryChart(history: HistoryLine[]): string {
  const runs = history.filter((h) => h.score !== null && h.inject === null);
  if (runs.length === 0) return `<p class="muted">No scored run in the history yet.</p>`;
  const x = (i: number) => PAD + (runs.length === 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (runs.length - 1));
  const y = (score: number) => H - PAD - score * (H - 2 * PAD);
  const points = runs.map((r, i) => `${x(i).toFixed(1)},${y(r.score as number).toFixed(1)}`).join(" ");
  const dots = runs.map((r, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(r.score as number).toFixed(1)}" r="3"><title>${escapeHtml(`${r.time} ${(r.gitSha ?? "").slice(0, 12)}: ${r.corroborated}/${r.total}`)}</title></circle>`).join("");
  const axis = [0, 0.5, 1].map((s) => `<line x1="${PAD}" x2="${W - PAD}" y1="${y(s)}" y2="${y(s)}" class="grid"/><text x="4" y="${y(s) + 4}">${s * 100}%</text>`).join("");
  const svg = `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="score-title"><title id="score-title">Score of the last ${runs.length} runs, oldest first</title>${axis}<polyline points="${points}" class="line"/>${dots}</svg>`;
  const rows = runs.map((r) => `<tr><td>${escapeHtml(r.time)}</td><td>${escapeHtml((r.gitSha ?? "unknown").slice(0, 12))}</td><td>${r.corroborated}/${r.total}</td><td>${((r.score as number) * 100).toFixed(1)}%</td></tr>`);
  return `${svg}<details><summary>Score history as a table</summary><table><caption>Score per run</caption><thead><tr><th scope="col">time</th><th scope="col">commit</th><th scope="col">corroborated</th><th scope="col">score</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

/** Native llama-bench's mean t/s of a row, where it ran (a bench.json older than native has none). */
function nativeTps(r: BenchRow): number | null {
  return r.native && "meanTps" in r.native ? r.native.meanTps : null;
}

/**
 * tokens/s per bench row: the engine, llama.cpp through node-llama-cpp and native llama-bench
 * where it ran, bars on one log-free scale per kind (pp, tg), the ratio to native (else to
 * node-llama-cpp) after them.
 */
export function benchChart(bench: BenchReport): string {
  if (bench.rows.length === 0) return `<p class="muted">The bench has no rows.</p>`;
  const parts: string[] = [];
  for (const kind of ["pp", "tg"] as const) {
    const rows = bench.rows.filter((r) => r.kind === kind);
    if (rows.length === 0) continue;
    const max = Math.max(...rows.flatMap((r) => [r.engine.meanTps, r.llamacpp.meanTps, nativeTps(r) ?? 0]));
    const rowH = 30;
    const height = rows.length * rowH + 24;
    const label = 220;
    const bar = (v: number) => ((W - label - 60) * v) / max;
    const bars = rows.map((r, i) => {
      const top = 20 + i * rowH;
      const name = `${r.model} ${r.quant} ${r.test}`;
      const native = nativeTps(r);
      const rect = (cls: string, y: number, tps: number, who: string) => `<rect class="${cls}" x="${label}" y="${y}" width="${bar(tps).toFixed(1)}" height="8"><title>${escapeHtml(`${name}: ${who} ${tps.toFixed(1)} t/s`)}</title></rect>`;
      const ratio = native !== null && r.nativeRatio != null ? `${r.nativeRatio.toFixed(2)}x native` : `${r.ratio.toFixed(2)}x`;
      const end = label + Math.max(bar(r.engine.meanTps), bar(r.llamacpp.meanTps), bar(native ?? 0)) + 4;
      return `<text x="0" y="${top + 13}">${escapeHtml(name.length > 34 ? `${name.slice(0, 33)}\u2026` : name)}</text>${rect("engine", top, r.engine.meanTps, "engine")}${rect("llamacpp", top + 9, r.llamacpp.meanTps, "llama.cpp (node-llama-cpp)")}${native === null ? "" : rect("native", top + 18, native, "native llama-bench")}<text x="${end}" y="${top + 13}">${ratio}</text>`;
    });
    const legend = `<rect class="engine" x="${label}" y="2" width="10" height="10"/><text x="${label + 14}" y="11">engine</text><rect class="llamacpp" x="${label + 80}" y="2" width="10" height="10"/><text x="${label + 94}" y="11">node-llama-cpp</text><rect class="native" x="${label + 210}" y="2" width="10" height="10"/><text x="${label + 224}" y="11">native llama-bench</text>`;
    parts.push(`<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="bench-${kind}"><title id="bench-${kind}">${kind === "pp" ? "Prompt processing" : "Decode"} tokens per second, engine and llama.cpp on the same file</title>${legend}${bars.join("")}</svg>`);
  }
  const table = bench.rows.map((r) => `<tr><td>${escapeHtml(r.model)}</td><td>${r.quant}</td><td>${r.test}</td><td>${r.engine.meanTps.toFixed(1)}</td><td>${r.llamacpp.meanTps.toFixed(1)}</td><td>${r.ratio.toFixed(3)}</td>${nativeCells(r)}<td>${streamCell(r)}</td></tr>`);
  return `${parts.join("")}<details><summary>Bench as a table</summary><table><caption>tokens/s, ${escapeHtml(bench.startedAt)}; decode: the GB/s a step's weights stream at, and its share of the stream reference</caption><thead><tr><th scope="col">model</th><th scope="col">quant</th><th scope="col">test</th><th scope="col">engine</th><th scope="col">llama.cpp</th><th scope="col">ratio</th><th scope="col">native</th><th scope="col">engine/native</th><th scope="col">decode GB/s, engine / native</th></tr></thead><tbody>${table.join("")}</tbody></table></details>`;
}

/** Native llama-bench's t/s and the ratio, or why it did not run (a bench.json older than native has neither). */
function nativeCells(r: BenchRow): string {
  const native = nativeTps(r);
  if (native !== null) return `<td>${native.toFixed(1)}</td><td>${r.nativeRatio?.toFixed(3) ?? "-"}</td>`;
  const why = r.native && "blocked" in r.native ? r.native.blocked : "not measured";
  return `<td colspan="2" class="muted">${escapeHtml(why)}</td>`;
}

/** A tg row's streamed GB/s, engine and native, with their shares of the reference where it was measured. */
function streamCell(r: BenchRow): string {
  if (!r.streamGBps) return "-";
  return `${streamFigure(r.streamGBps.engine, r.streamShare?.engine)} / ${streamFigure(r.streamGBps.native, r.streamShare?.native)}`;
}
