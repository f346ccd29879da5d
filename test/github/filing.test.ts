// `refute ticket --file` end to end: reports from the real gate runner on the fake subject,
// filed against the mock GitHub API through @octokit/rest. A run with an injected fault
// files issues; a clean run closes them; an identical run changes nothing; a regression
// reopens; changed evidence comments once.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ticketCommand } from "../../cli/ticket.ts";
import { buildTickets } from "../../gates/ticket.ts";
import { faultScript, range, reportDir, snapshot, ticket } from "./helpers.ts";
import { startMockGitHub, type MockGitHub } from "./mock-github.ts";

const INJECT = { inject: "q4-nibble-swap" };

let gh: MockGitHub;
beforeEach(async () => {
  gh = await startMockGitHub({ token: (await import("./helpers.ts")).TOKEN, maxPerPage: 2 });
});
afterEach(async () => {
  await gh.close();
});

describe("ticket --file against the mock GitHub API", () => {
  it("a run with an injected fault files one issue per fingerprint; a clean run closes them; an identical run changes nothing", async () => {
    const faulted = await reportDir(faultScript(), INJECT);
    const tickets = buildTickets(faulted.report);
    expect(tickets.length).toBeGreaterThanOrEqual(2);

    // Dry run: reads, writes nothing, and lists exactly the actions --apply then takes.
    const dry = await ticket(gh, faulted.dir, ["--json"]);
    expect(dry.code).toBe(0);
    expect(gh.writes()).toEqual([]);
    const planned = dry.json().plan.actions;
    expect(planned.map((a) => a.kind)).toEqual([...Array(planned.length - tickets.length).fill("label"), ...tickets.map(() => "create")]);

    const filed = await ticket(gh, faulted.dir, ["--apply", "--json"]);
    expect(filed.code).toBe(0);
    expect(filed.json().plan.actions).toEqual(planned);
    expect(filed.json().results!.every((r) => r.ok)).toBe(true);
    expect(gh.issues).toHaveLength(tickets.length);
    for (const t of tickets) {
      const issues = gh.issues.filter((i) => i.title.includes(t.fingerprint));
      expect(issues).toHaveLength(1);
      expect(issues[0].title).toBe(t.title);
      expect(issues[0].body).toContain(`<!-- refute:fingerprint=${t.fingerprint} -->\n<!-- refute:evidence=${t.evidenceDigest} -->`);
      expect(issues[0].labels).toEqual(t.labels);
      expect(issues[0].state).toBe("open");
    }
    expect(gh.labels.map((l) => l.name)).toEqual(expect.arrayContaining(["refute", "suite:token", "severity:high"]));

    // The same faulted run again: nothing to do.
    const writes = gh.writes().length;
    const again = await ticket(gh, (await reportDir(faultScript(), INJECT)).dir, ["--apply", "--json"]);
    expect(again.code).toBe(0);
    expect(again.json().plan.actions.map((a) => a.kind)).toEqual(tickets.map(() => "keep"));
    expect(gh.writes()).toHaveLength(writes);
    // Three issues, two a page: the listing followed the Link header to page 2.
    expect(gh.requests.filter((r) => r.method === "GET" && r.path.endsWith("/issues") && /[?&]page=2/.test(r.url)).length).toBeGreaterThan(0);

    // A clean run closes every one of them, with a comment.
    const clean = await reportDir();
    const closed = await ticket(gh, clean.dir, ["--apply", "--json"]);
    expect(closed.code).toBe(0);
    expect(closed.json().plan.actions.map((a) => a.kind)).toEqual(tickets.map(() => "close"));
    for (const issue of gh.issues) {
      expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0].body).toMatch(/^<!-- refute:run=[0-9a-f]{16} -->\nAll \d+ checks corroborate in the run of /);
    }

    // A second identical clean run changes nothing.
    const before = snapshot(gh);
    const writesBefore = gh.writes().length;
    const quiet = await ticket(gh, (await reportDir()).dir, ["--apply"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.join("\n")).toContain("actions (0 changes, 0 no-op):");
    expect(gh.writes()).toHaveLength(writesBefore);
    expect(snapshot(gh)).toEqual(before);

    // The fault again: a regression reopens each issue, with one comment; no new issue.
    const regressed = await ticket(gh, (await reportDir(faultScript(), INJECT)).dir, ["--apply", "--json"]);
    expect(regressed.json().plan.actions.map((a) => a.kind)).toEqual(tickets.map(() => "reopen"));
    expect(gh.issues).toHaveLength(tickets.length);
    for (const issue of gh.issues) {
      expect(issue).toMatchObject({ state: "open", state_reason: "reopened" });
      expect(issue.comments.map((c) => c.body.split("\n")[1])).toEqual([expect.stringMatching(/^All /), expect.stringMatching(/^Falsified again in the run of .*injected fault `q4-nibble-swap`/)]);
    }
  });

  it("comments on an open issue once when its evidence changes, and updates the body", async () => {
    await ticket(gh, (await reportDir(faultScript(range(8, 16)), INJECT)).dir, ["--apply"]);
    const worse = await reportDir(faultScript(range(0, 32)), INJECT);
    const [t] = buildTickets(worse.report).filter((x) => x.claim === "token-int4-mismatch");
    const dry = await ticket(gh, worse.dir);
    expect(dry.stdout.join("\n")).toMatch(new RegExp(`comment  #\\d+ ".*\\(refute ${t.fingerprint}\\)": evidence changed \\([0-9a-f]{16} -> ${t.evidenceDigest}\\)`));
    const run = await ticket(gh, worse.dir, ["--apply"]);
    expect(run.code).toBe(0);
    const issue = gh.issues.find((i) => i.title.includes(t.fingerprint))!;
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0].body).toContain("Still falsified in the run of");
    expect(issue.body).toContain(`<!-- refute:evidence=${t.evidenceDigest} -->`);
    expect(issue.body).toContain("32 of 32 tokens differ");
    // Filing the same report again: the evidence is now the body's, nothing more is said.
    const comments = gh.issues.map((i) => i.comments.length);
    await ticket(gh, worse.dir, ["--apply"]);
    expect(gh.issues.map((i) => i.comments.length)).toEqual(comments);
  });

  it("finds existing issues by fingerprint: open or closed, unlabelled (search), by title when the marker was edited away; never files a duplicate", async () => {
    const faulted = await reportDir(faultScript(), INJECT);
    const [first, second, ...others] = buildTickets(faulted.report);
    // first: closed as not planned, labelled; second: open, label removed, marker edited out of the body.
    gh.seedIssue({ title: first.title, body: `<!-- refute:fingerprint=${first.fingerprint} -->\nold`, labels: ["refute"], state: "closed", state_reason: "not_planned" });
    gh.seedIssue({ title: second.title, body: "someone rewrote this body", labels: [] });
    gh.seedIssue({ title: `a pull request (refute ${others[0]?.fingerprint ?? first.fingerprint})`, body: "", labels: ["refute"], pull_request: true });
    gh.seedIssue({ title: "unrelated (refute 0123456789abcdef)", body: "<!-- refute:fingerprint=0123456789abcdef -->", labels: ["refute"] });
    const run = await ticket(gh, faulted.dir, ["--apply", "--json"]);
    expect(run.code).toBe(0);
    const byFp = Object.fromEntries(run.json().plan.actions.filter((a) => a.kind !== "label").map((a) => [a.fingerprint, [a.kind, a.issue ?? null]]));
    expect(byFp[first.fingerprint]).toEqual(["keep", 1]);
    expect(byFp[second.fingerprint]).toEqual(["comment", 2]); // found by search; its evidence marker is gone
    for (const t of others) expect(byFp[t.fingerprint][0]).toBe("create");
    expect(run.json().plan.untouched).toEqual([4]);
    expect(run.json().plan.warnings).toEqual([`#2 carries fingerprint ${second.fingerprint} but not the 'refute' label`]);
    expect(gh.issues.filter((i) => !i.pull_request)).toHaveLength(4 + others.length - 1);
    expect(gh.issues.find((i) => i.number === 1)).toMatchObject({ state: "closed", comments: [] });
    expect(gh.issues.find((i) => i.number === 4)).toMatchObject({ state: "open", comments: [] });
  });

  it("refuses a shard's report, --apply without GITHUB_TOKEN, and --apply without --file (exit 2), and a dry run reads anonymously", async () => {
    const shard = await reportDir(faultScript(), { ...INJECT, shard: { index: 1, count: 2 } });
    const refused = await ticket(gh, shard.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr.join("\n")).toMatch(/the report is shard 1\/2; merge the shards first .*\[E_TICKET_SHARD\]/);

    const faulted = await reportDir(faultScript(), INJECT);
    const err: string[] = [];
    expect(await ticketCommand(["--apply", "--reports", faulted.dir], { out: () => {}, err: (t) => err.push(t), env: { GITHUB_TOKEN: "x" } })).toBe(2);
    expect(err[0]).toMatch(/^refute ticket: --apply needs --file/);
    const noToken = await ticket(gh, faulted.dir, ["--apply"], { token: null });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr.join("\n")).toMatch(/--apply needs a token in the environment variable GITHUB_TOKEN/);

    const anonymous = await ticket(gh, faulted.dir, [], { token: null });
    expect(anonymous.code).toBe(0);
    expect(anonymous.stdout.join("\n")).toContain("(no GITHUB_TOKEN: read anonymously)");
    expect(anonymous.stdout.join("\n")).toContain("dry run: nothing was changed; run again with --apply to take these actions.");
    expect(gh.requests.every((r) => r.method === "GET")).toBe(true);
    expect(gh.writes()).toEqual([]);
  });

  it("reports a failed action with exit 1, still takes the others, and the next run completes the work", async () => {
    const faulted = await reportDir(faultScript(), INJECT);
    const tickets = buildTickets(faulted.report);
    // All four attempts at creating the first issue fail with 502 (and finding it finds nothing).
    gh.fail({ kind: "bad-gateway", method: "POST", path: /\/issues$/, times: 4 });
    const run = await ticket(gh, faulted.dir, ["--apply", "--json"]);
    expect(run.code).toBe(1);
    const creates = run.json().results!.filter((r) => r.kind === "create");
    expect(creates[0]).toMatchObject({ ok: false, error: expect.stringMatching(/create issue: HTTP 502/) });
    expect(creates.slice(1).every((r) => r.ok)).toBe(true);
    expect(gh.issues).toHaveLength(tickets.length - 1);
    const next = await ticket(gh, faulted.dir, ["--apply", "--json"]);
    expect(next.code).toBe(0);
    expect(next.json().plan.actions.filter((a) => a.kind === "create")).toHaveLength(1);
    expect(gh.issues.map((i) => i.title).sort()).toEqual(tickets.map((t) => t.title).sort());
  });
});

