// The README scoreboard and badge come from reports/latest.json through `pnpm report readme`;
// the committed README must be what that command writes from the committed report.

import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportCommand } from "../../cli/report.ts";
import {
  badgeLine,
  currentBadgeUrl,
  rawBadgeUrl,
  readRegion,
  renderReadme,
  renderScoreboard,
  replaceRegion,
  SCOREBOARD_END,
  SCOREBOARD_START,
  setBadgeLine,
} from "../../gates/github/scoreboard.ts";
import type { Report } from "../../gates/report.ts";
import { validateReport, writeReports } from "../../gates/write.ts";
import { runFake } from "../gates/helpers.ts";
import { faultScript, reportDir, tempDir } from "./helpers.ts";

/**
 * A file as committed (HEAD), else as on disk outside a git checkout. The committed pair is
 * compared, not the working tree: `pnpm gates` rewrites reports/latest.json locally, and
 * that must not make the test suite fail.
 */
function committed(path: string): string | null {
  try {
    return execFileSync("git", ["show", `HEAD:${path}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 * 2 ** 20 });
  } catch {
    try {
      execFileSync("git", ["rev-parse", "HEAD"], { stdio: "ignore" });
      return null; // a checkout without the file at HEAD
    } catch {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return null;
      }
    }
  }
}

async function readme(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await reportCommand(["readme", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

const RAW = "https://raw.githubusercontent.com/acme/widgets/main/reports/badge.json";

describe("README scoreboard", () => {
  it("the committed README's scoreboard is what `pnpm report readme` writes from the committed reports/latest.json", () => {
    const text = committed("README.md")!;
    const latest = committed("reports/latest.json");
    const report = latest === null ? null : (JSON.parse(latest) as Report);
    if (report !== null) expect(validateReport(report), "reports/latest.json matches gates/report.schema.json").toBe(true);
    expect(readRegion(text), "README.md scoreboard is stale: run `pnpm report readme` and commit README.md with reports/").toBe(renderScoreboard(report));
    const lines = text.split("\n");
    const title = lines.findIndex((l) => l.startsWith("# "));
    if (report !== null) {
      // The badge line sits right under the title and shows the offline badge, and the endpoint badge when the repository is known.
      const line = lines[title + 2];
      expect(lines[title + 1]).toBe("");
      expect([badgeLine(null), badgeLine(currentBadgeUrl(text))]).toContain(line);
      const url = currentBadgeUrl(text);
      if (url !== null) expect(url).toMatch(/\/reports\/badge\.json$/);
    } else {
      expect(lines.some((l) => l.startsWith("[![refute"))).toBe(false);
    }
  });

  it("is generated from a real runner's report: suites table, overall line, falsified claims, date and commit; then current", async () => {
    const { report } = await runFake(faultScript(), { inject: "q4-nibble-swap" });
    const home = tempDir(); // a README with its reports/ beside it, outside any git checkout
    const dir = join(home, "reports");
    await writeReports(report, dir);
    const file = join(home, "README.md");
    copyFileSync("README.md", file);
    const first = await readme(["--reports", dir, "--readme", file, "--repo", "acme/widgets", "--branch", "main"]);
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(/^wrote .*README\.md: \d+\/\d+ corroborated, \d+ falsified, 0 blocked$/);
    const text = readFileSync(file, "utf8");
    const region = readRegion(text);
    const s = report.summary;
    expect(region).toContain(`**${s.corroborated}/${s.total} checks corroborated** · ${s.falsified} falsified · 0 blocked · score ${((s.corroborated / s.total) * 100).toFixed(1)}%`);
    expect(region).toContain("| suite | checks | corroborated | falsified | blocked | score |");
    for (const [suite, x] of Object.entries(report.suites)) expect(region).toContain(`| ${suite} | ${x.total} | ${x.corroborated} | ${x.falsified} | ${x.blocked} |`);
    expect(region).toContain(`| **all** | ${s.total} | ${s.corroborated} | ${s.falsified} | 0 |`);
    expect(region).toContain("- `token-int4-mismatch` on tiny-llama native q4_0 cpu embedded: 2 checks");
    expect(region).toContain(`Run of ${report.run.startedAt.slice(0, 10)} `);
    expect(region).toContain(report.run.gitSha ? `at commit \`${report.run.gitSha.slice(0, 12)}\`` : "at commit unknown");
    expect(region).toContain("injected fault `q4-nibble-swap`");
    expect(region).toContain("[full report](reports/latest.md)");
    expect(text.split("\n").slice(0, 3)).toEqual([
      "# refute",
      "",
      `[![refute](https://img.shields.io/endpoint?url=${encodeURIComponent(RAW)})](reports/latest.md) [![refute (offline)](reports/badge.svg)](reports/latest.md)`,
    ]);
    // Everything outside the region and the badge line is untouched.
    const original = readFileSync("README.md", "utf8");
    const withoutBadge = (t: string) => t.replace(/\n\n\[!\[refute.*\n/, "\n");
    expect(withoutBadge(text).replace(region, readRegion(original))).toBe(withoutBadge(original));

    const again = await readme(["--reports", dir, "--readme", file, "--repo", "acme/widgets", "--branch", "main"]);
    expect(again.out[0]).toMatch(/^unchanged /);
    expect((await readme(["--reports", dir, "--readme", file, "--repo", "acme/widgets", "--branch", "main", "--check"])).code).toBe(0);
    // A new run makes it stale; --check says so and changes nothing.
    const clean = await reportDir();
    const stale = await readme(["--reports", clean.dir, "--readme", file, "--repo", "acme/widgets", "--branch", "main", "--check"]);
    expect(stale.code).toBe(1);
    expect(stale.err[0]).toMatch(/scoreboard is stale: run `pnpm report readme`/);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("without a report says that no run is recorded (and adds no badge); --badge-url is used as given; extra arguments are a usage error", async () => {
    const home = tempDir();
    const file = join(home, "README.md");
    copyFileSync("README.md", file);
    const before = readFileSync(file, "utf8");
    const none = await readme(["--reports", join(home, "nothing"), "--readme", file, "--badge-url", RAW]);
    expect(none.code).toBe(0);
    expect(none.err[0]).toMatch(/no run is recorded yet/);
    expect(readRegion(readFileSync(file, "utf8"))).toBe(renderScoreboard(null, "nothing"));
    expect(readFileSync(file, "utf8").split("\n").some((l) => l.startsWith("[![refute"))).toBe(before.split("\n").some((l) => l.startsWith("[![refute")));
    const { dir } = await reportDir();
    expect((await readme(["--reports", dir, "--readme", file, "--badge-url", RAW])).code).toBe(0);
    expect(currentBadgeUrl(readFileSync(file, "utf8"))).toBe(RAW);
    expect((await readme(["--reports", dir, "--readme", file, "extra"])).code).toBe(2);
  });

  it("raw badge URLs from git remotes: https, ssh, scp-like, Enterprise hosts; credentials never kept", () => {
    expect(rawBadgeUrl("https://github.com/acme/widgets.git", "main")).toBe(RAW);
    expect(rawBadgeUrl("https://github.com/acme/widgets", "main")).toBe(RAW);
    expect(rawBadgeUrl("git@github.com:acme/widgets.git", "main")).toBe(RAW);
    expect(rawBadgeUrl("ssh://git@github.com/acme/widgets.git", "main")).toBe(RAW);
    expect(rawBadgeUrl("https://x-access-token:ghs_secret123@github.com/acme/widgets.git", "main")).toBe(RAW);
    expect(rawBadgeUrl("https://ghe.example.com/team/tool.git", "release/1")).toBe("https://ghe.example.com/team/tool/raw/release/1/reports/badge.json");
    expect(rawBadgeUrl("/srv/git/widgets.git", "main")).toBeNull();
  });

  it("the badge line: shields.io endpoint form and the offline SVG, right under the title, replaced in place", () => {
    const line = badgeLine(RAW);
    expect(line).toBe(
      `[![refute](https://img.shields.io/endpoint?url=${encodeURIComponent(RAW)})](reports/latest.md) [![refute (offline)](reports/badge.svg)](reports/latest.md)`,
    );
    expect(badgeLine(null)).toBe("[![refute](reports/badge.svg)](reports/latest.md)");
    const doc = `# refute\n\nText.\n\n${SCOREBOARD_START}\n${SCOREBOARD_END}\n`;
    const once = setBadgeLine(doc, line);
    expect(once).toBe(`# refute\n\n${line}\n\nText.\n\n${SCOREBOARD_START}\n${SCOREBOARD_END}\n`);
    expect(setBadgeLine(once, badgeLine(null))).toBe(`# refute\n\n${badgeLine(null)}\n\nText.\n\n${SCOREBOARD_START}\n${SCOREBOARD_END}\n`);
    expect(currentBadgeUrl(once)).toBe(RAW);
    expect(renderReadme(doc, null, RAW)).toBe(replaceRegion(doc, renderScoreboard(null)));
  });

  it("refuses a README without exactly one marked region", () => {
    expect(() => replaceRegion("# x\n", "y")).toThrow(/exactly one <!-- scoreboard:start -->/);
    expect(() => replaceRegion(`${SCOREBOARD_START}\n${SCOREBOARD_END}\n${SCOREBOARD_START}\n`, "y")).toThrow(/exactly one/);
    expect(replaceRegion(`a\n${SCOREBOARD_START}\nold\n${SCOREBOARD_END}\nb`, "new")).toBe(`a\n${SCOREBOARD_START}\nnew\n${SCOREBOARD_END}\nb`);
  });
});
