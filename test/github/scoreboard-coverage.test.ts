// The committed scoreboard (reports/latest.json, which the README's region is rendered from)
// must be one run of every suite: no selection, no shard, no injected fault, every check the
// catalogue plans now, and made at a commit whose claims are the claims of HEAD. A claim added,
// removed or edited since, or a partial run published, fails here with the command that
// regenerates it: `pnpm scoreboard`.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Report } from "../../gates/report.ts";
import { planChecks } from "../../gates/run.ts";

const REGENERATE = "regenerate it with `pnpm scoreboard` (every suite, then `refute report publish`)";
const git = (args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 2 ** 20 });
const committed = JSON.parse(git(["show", "HEAD:reports/latest.json"])) as Report;

describe("the committed scoreboard", () => {
  it("is a run of every suite, nothing selected, sharded or injected", () => {
    expect(committed.run.args, REGENERATE).toEqual([]);
    expect(committed.run.inject, REGENERATE).toBeNull();
    expect(committed.run.shard, REGENERATE).toBeNull();
  });

  it("has every check the catalogue plans, and no other", async () => {
    const planned = (await planChecks({ claimsDir: "claims", oracleDir: "oracle" })).map((c) => c.id).sort();
    const ran = committed.checks.map((c) => c.id).sort();
    expect(ran.filter((id) => !planned.includes(id)), `checks no longer in the catalogue: ${REGENERATE}`).toEqual([]);
    expect(planned.filter((id) => !ran.includes(id)), `checks the scoreboard lacks: ${REGENERATE}`).toEqual([]);
    const suites = new Set((await planChecks({ claimsDir: "claims", oracleDir: "oracle" })).map((c) => c.claim.suite));
    expect(Object.keys(committed.suites).sort()).toEqual([...suites].sort());
  });

  it("was made at a commit of this history whose claims are HEAD's", () => {
    const sha = committed.run.gitSha;
    expect(sha, REGENERATE).toMatch(/^[0-9a-f]{40}$/);
    expect(() => git(["merge-base", "--is-ancestor", sha as string, "HEAD"]), `commit ${sha} is not in HEAD's history: ${REGENERATE}`).not.toThrow();
    const changed = git(["diff", "--name-only", sha as string, "HEAD", "--", "claims/"]).trim();
    expect(changed, `claims changed since the scoreboard's commit ${sha?.slice(0, 12)}: ${REGENERATE}`).toBe("");
  });
});
