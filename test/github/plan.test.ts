// The filing plan, decided without the network: which issue each fingerprint maps to, and
// what happens to it, for every state an issue and a subject group can be in.

import { describe, expect, it } from "vitest";
import type { RemoteIssue } from "../../gates/github/issues.ts";
import { issueBody, issueFingerprint, parseEvidence } from "../../gates/github/issues.ts";
import { planFiling } from "../../gates/github/plan.ts";
import type { Report } from "../../gates/report.ts";
import { buildTickets, fingerprintMarker, groupStates } from "../../gates/ticket.ts";
import { runFake } from "../gates/helpers.ts";
import { faultScript } from "./helpers.ts";

const issue = (number: number, fields: Partial<RemoteIssue> & { title: string }): RemoteIssue => ({
  number,
  body: "",
  state: "open",
  stateReason: null,
  labels: ["refute"],
  url: `https://github.invalid/${number}`,
  isPullRequest: false,
  ...fields,
});

const faulted = async () => (await runFake(faultScript(), { inject: "q4-nibble-swap" })).report;
const kinds = (plan: ReturnType<typeof planFiling>) => plan.actions.map((a) => [a.kind, "issue" in a ? a.issue : null]);

describe("planFiling", () => {
  it("with no issues and no labels: the missing labels, then one create per ticket carrying both markers", async () => {
    const report = await faulted();
    const tickets = buildTickets(report);
    const plan = planFiling(report, [], []);
    const labels = [...new Set(tickets.flatMap((t) => t.labels))];
    expect(plan.actions.filter((a) => a.kind === "label").map((a) => (a.kind === "label" ? a.label : ""))).toEqual(labels);
    const creates = plan.actions.filter((a) => a.kind === "create");
    expect(creates).toHaveLength(tickets.length);
    for (const [i, a] of creates.entries()) {
      if (a.kind !== "create") continue;
      expect(a.title).toBe(tickets[i].title);
      expect(issueFingerprint({ title: a.title, body: "" })).toBe(tickets[i].fingerprint);
      expect(issueFingerprint({ title: "", body: a.body })).toBe(tickets[i].fingerprint);
      expect(parseEvidence(a.body)).toBe(tickets[i].evidenceDigest);
      expect(a.body.replace(/\n<!-- refute:evidence=[0-9a-f]{16} -->/, "")).toBe(tickets[i].body);
    }
    expect(planFiling(report, [], labels).actions.some((a) => a.kind === "label")).toBe(false);
  });

  it("maps every state: unchanged -> no-op, changed -> comment, closed -> reopen, not planned -> no-op, green -> close, blocked -> no-op", async () => {
    const report = await faulted();
    const [a, b, c] = buildTickets(report);
    const green = groupStates(report).filter((g) => g.state === "corroborated");
    // One corroborated group made blocked: its open issue stays open.
    const blockedFp = green[1].fingerprint;
    const withBlocked: Report = {
      ...report,
      checks: report.checks.map((x) => (x.fingerprint === blockedFp ? { ...x, verdict: "blocked" as const, observed: null, evidence: null, reason: "no device" } : x)),
    };
    const issues = [
      issue(1, { title: a.title, body: issueBody(a) }), // open, same evidence
      issue(2, { title: b.title, body: issueBody({ ...b, evidenceDigest: "0000000000000000" }) }), // open, other evidence
      issue(3, { title: c.title, body: issueBody(c), state: "closed", stateReason: "completed" }),
      issue(4, { title: `x (refute ${green[0].fingerprint})`, body: fingerprintMarker(green[0].fingerprint) }),
      issue(5, { title: `y (refute ${blockedFp})`, body: fingerprintMarker(blockedFp) }),
      issue(6, { title: `z (refute ${green[2].fingerprint})`, body: fingerprintMarker(green[2].fingerprint), state: "closed", stateReason: "completed" }),
      issue(7, { title: "not ours (refute 00000000000000ff)", body: "" }),
    ];
    const plan = planFiling(withBlocked, issues, ["refute"]);
    expect(kinds(plan)).toEqual([
      ["keep", 1],
      ["comment", 2],
      ["reopen", 3],
      ["close", 4],
      ["keep", 5],
    ]);
    expect(plan.untouched).toEqual([7]);
    const comment = plan.actions[1];
    expect(comment.kind === "comment" && [comment.previous, comment.evidence]).toEqual(["0000000000000000", b.evidenceDigest]);
    // Closed as not planned: a maintainer's decision stands.
    const notPlanned = planFiling(report, [issue(3, { title: c.title, body: issueBody(c), state: "closed", stateReason: "not_planned" })], ["refute"]);
    expect(notPlanned.actions.find((x) => "fingerprint" in x && x.fingerprint === c.fingerprint)).toMatchObject({ kind: "keep", reason: "falsified, but closed as not planned: left closed" });
  });

  it("duplicates: acts on the open one (then the oldest) and warns; pull requests and unmarked issues are ignored", async () => {
    const report = await faulted();
    const [a] = buildTickets(report);
    const plan = planFiling(
      report,
      [
        issue(9, { title: a.title, body: issueBody(a), state: "closed", stateReason: "completed" }),
        issue(12, { title: a.title, body: issueBody(a) }),
        issue(10, { title: a.title, body: issueBody(a) }),
        issue(11, { title: a.title, body: issueBody(a), isPullRequest: true }),
        issue(13, { title: "no marker anywhere", body: "hello" }),
      ],
      ["refute"],
    );
    expect(plan.actions.find((x) => "fingerprint" in x && x.fingerprint === a.fingerprint)).toMatchObject({ kind: "keep", issue: 10 });
    expect(plan.warnings).toEqual([`fingerprint ${a.fingerprint} has 3 issues (#10 open, #12 open, #9 closed); refute acts on #10 only`]);
  });

  it("refuses a shard's report", async () => {
    const { report } = await runFake(faultScript(), { inject: "q4-nibble-swap", shard: { index: 2, count: 3 } });
    expect(() => planFiling(report, [], [])).toThrow(/shard 2\/3; merge the shards first/);
  });
});
