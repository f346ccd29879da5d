// A run leaves the git tree clean: its reports go to the git-ignored run directory, and only
// `refute report publish` changes the committed reports/ and the README's scoreboard.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportCommand } from "../../cli/report.ts";
import { RUN_DIR, writeReports } from "../../gates/write.ts";
import { runFake, tempDir } from "../gates/helpers.ts";

const status = () => execFileSync("git", ["status", "--porcelain"], { encoding: "utf8" });

describe("the run directory", () => {
  it("a default run writes its reports there, and git status is what it was", () => {
    const before = status();
    const run = spawnSync(process.execPath, ["bin/refute.mjs", "gates", "--suite", "kernels"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`reports: ${join(RUN_DIR, "latest.json")}`);
    expect(existsSync(join(RUN_DIR, "latest.json"))).toBe(true);
    expect(status()).toBe(before);
  }, 60_000);

  it("publish writes the run's report into the committed directory, with its teeth (in its HTML too), and regenerates the scoreboard", async () => {
    const { report } = await runFake();
    const run = tempDir();
    await writeReports(report, run);
    writeFileSync(join(run, "teeth.md"), "# teeth\n");
    const teeth = { summary: { faults: 1, caught: 1, claims: 1, cleanFalsified: 0, cleanBlocked: 0, passed: true }, clean: { falsified: [], blocked: [] }, faults: [{ fault: "f1", description: "d", caughtBy: ["c1"], blocked: [], checks: {} }], power: [], claims: [], problems: [] };
    writeFileSync(join(run, "teeth.json"), JSON.stringify(teeth));
    const to = join(tempDir(), "reports");
    const readme = join(tempDir(), "README.md");
    copyFileSync("README.md", readme);
    const out: string[] = [];
    const err: string[] = [];
    expect(await reportCommand(["publish", "--from", run, "--to", to, "--readme", readme], { out: (t) => out.push(t), err: (t) => err.push(t) }), err.join("\n")).toBe(0);
    expect(JSON.parse(readFileSync(join(to, "latest.json"), "utf8")).summary).toEqual(report.summary);
    expect(readFileSync(join(to, "history.jsonl"), "utf8").trim().split("\n")).toHaveLength(1);
    expect(readFileSync(join(to, "teeth.md"), "utf8")).toBe("# teeth\n");
    // the published HTML shows the run's teeth, not what the directory held before the copy
    expect(readFileSync(join(to, "report.html"), "utf8")).toContain('aria-label="f1 caught by c1"');
    expect(existsSync(join(to, "bench.json"))).toBe(false); // the run had none
    expect(readFileSync(readme, "utf8")).toContain(`**${report.summary.corroborated}/${report.summary.total} checks corroborated**`);
  });

  it("publish names a teeth.json or hostile.json of another commit than the report's too", async () => {
    const { report } = await runFake();
    const run = tempDir();
    await writeReports(report, run);
    const teeth = { gitSha: "fedcba9876543210fedcba9876543210fedcba98", summary: { faults: 0, caught: 0, claims: 0, cleanFalsified: 0, cleanBlocked: 0, passed: true }, clean: { falsified: [], blocked: [] }, faults: [], power: [], claims: [], problems: [] };
    writeFileSync(join(run, "teeth.json"), JSON.stringify(teeth));
    writeFileSync(join(run, "hostile.json"), JSON.stringify({ gitSha: "aaaabbbbccccddddeeeeffff0000111122223333", summary: {}, kinds: [], failures: [] }));
    const readme = join(tempDir(), "README.md");
    copyFileSync("README.md", readme);
    const err: string[] = [];
    expect(await reportCommand(["publish", "--from", run, "--to", join(tempDir(), "reports"), "--readme", readme], { out: () => {}, err: (t) => err.push(t) })).toBe(0);
    expect(err.join("\n")).toContain("teeth.json was measured at fedcba987654");
    expect(err.join("\n")).toContain("hostile.json was measured at aaaabbbbcccc");
  });

  it("publish names a bench.json measured at another commit than the report's, and publishes it as it is", async () => {
    const { report } = await runFake();
    const run = tempDir();
    await writeReports(report, run);
    const bench = { gitSha: "0123456789abcdef0123456789abcdef01234567", rows: [] };
    writeFileSync(join(run, "bench.json"), JSON.stringify(bench));
    const to = join(tempDir(), "reports");
    const readme = join(tempDir(), "README.md");
    copyFileSync("README.md", readme);
    const err: string[] = [];
    expect(await reportCommand(["publish", "--from", run, "--to", to, "--readme", readme], { out: () => {}, err: (t) => err.push(t) })).toBe(0);
    expect(err.join("\n")).toContain(`bench.json was measured at 0123456789ab, the report at ${report.run.gitSha?.slice(0, 12) ?? "an unknown commit"}`);
    expect(JSON.parse(readFileSync(join(to, "bench.json"), "utf8"))).toEqual(bench);
    // the same commit: nothing to say
    writeFileSync(join(run, "bench.json"), JSON.stringify({ ...bench, gitSha: report.run.gitSha }));
    err.length = 0;
    expect(await reportCommand(["publish", "--from", run, "--to", to, "--readme", readme], { out: () => {}, err: (t) => err.push(t) })).toBe(0);
    expect(err.join("\n")).not.toContain("measured at");
  });

  it("publish without a run's report is an input error naming the file", async () => {
    const err: string[] = [];
    const from = tempDir();
    expect(await reportCommand(["publish", "--from", from, "--to", tempDir()], { out: () => {}, err: (t) => err.push(t) })).toBe(2);
    expect(err.join("\n")).toContain(join(from, "latest.json"));
  });
});
