// D9 of issue 19: reports survive their writer being killed. A writer SIGKILLed at random
// moments leaves a latest.json that is whole, valid and in history.jsonl, and the next write
// removes the temporaries it left; a partial run replacing a complete report says so.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replacementNote } from "../../gates/partial-run.ts";
import type { Report } from "../../gates/report.ts";
import { readReport, writeReports } from "../../gates/write.ts";
import { tempDir } from "../gates/helpers.ts";

const published = JSON.parse(readFileSync("reports/latest.json", "utf8")) as Report;
const committed: Report = { ...published, run: { ...published.run, args: [] } }; // a complete run

/** Starts the writer, lets it write for `ms` after its first report, and SIGKILLs it. */
function killedAfter(dir: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/hostile/report-writer-child.ts", dir], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), ms));
    child.on("exit", () => resolve());
    child.on("error", reject);
  });
}

describe("D9: reports of a killed writer", () => {
  it("latest.json is always whole, valid and in history.jsonl; the next write sweeps the temporaries", async () => {
    const dir = tempDir("refute-d9-");
    for (const ms of [0, 1, 2, 3, 5, 7, 9, 13, 17, 21, 27, 34]) {
      await killedAfter(dir, ms);
      const latest = await readReport(join(dir, "latest.json")); // throws on half a file or an invalid one
      const history = readFileSync(join(dir, "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(history.map((h) => h.time)).toContain(latest.run.startedAt);
    }
    await writeReports(committed, dir);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  }, 60_000);

  it("removes a dead writer's temporary, keeps a running one's", async () => {
    const dir = tempDir("refute-d9-");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "latest.json.999999999.0badc0de.tmp"), "{");
    writeFileSync(join(dir, `latest.md.${process.ppid}.0badc0de.tmp`), "#");
    await writeReports(committed, dir);
    expect(existsSync(join(dir, "latest.json.999999999.0badc0de.tmp"))).toBe(false);
    expect(existsSync(join(dir, `latest.md.${process.ppid}.0badc0de.tmp`))).toBe(true);
  });

  it("a partial run replacing a complete report says so", async () => {
    const dir = tempDir("refute-d9-");
    await writeReports(committed, dir);
    const partial: Report = { ...committed, run: { ...committed.run, args: ["--suite", "canary"] } };
    expect(await replacementNote(dir, partial)).toMatch(/a partial run \(.* \(--suite canary\)\) replaces the complete one/);
    expect(await replacementNote(dir, committed)).toBeNull();
    await writeReports(partial, dir);
    expect(await replacementNote(dir, partial)).toBeNull(); // partial over partial: nothing lost
  });
});
