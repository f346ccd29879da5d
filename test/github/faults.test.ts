// Filing through an unreliable GitHub: rate limits (403 with x-ratelimit-remaining 0, the
// secondary limit with retry-after), 502s and dropped connections, before or after the
// server acted. Whatever fails, the repository ends as it would without failures: nothing
// duplicated, nothing lost.

import fc from "fast-check";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildTickets } from "../../gates/ticket.ts";
import { faultScript, range, reportDir, snapshot, ticket, TOKEN } from "./helpers.ts";
import { startMockGitHub, type Failure, type FailureKind, type MockGitHub } from "./mock-github.ts";

const INJECT = { inject: "q4-nibble-swap" };

/** Three runs: a fault (files), the fault with other evidence (comments), clean (closes). */
let phases: string[];
let tickets: number;
beforeAll(async () => {
  const first = await reportDir(faultScript(range(8, 16)), INJECT);
  tickets = buildTickets(first.report).length;
  phases = [first.dir, (await reportDir(faultScript(range(0, 32)), INJECT)).dir, (await reportDir()).dir];
});

let gh: MockGitHub;
beforeEach(async () => {
  gh = await startMockGitHub({ token: TOKEN, maxPerPage: 2 });
});
afterEach(async () => {
  await gh.close();
});

/** Every phase filed with --apply; returns the exit codes and everything printed. */
async function lifecycle(target: MockGitHub, before: (phase: number) => void = () => {}) {
  const codes: number[] = [];
  const printed: string[] = [];
  for (const [i, dir] of phases.entries()) {
    before(i);
    const run = await ticket(target, dir, ["--apply"], { deps: { apply: { backoffMs: () => 1, attempts: 8 } } });
    codes.push(run.code);
    printed.push(...run.stdout, ...run.stderr);
  }
  return { codes, printed };
}

let reference: ReturnType<typeof snapshot>;
async function referenceState() {
  if (!reference) {
    const clean = await startMockGitHub({ token: TOKEN, maxPerPage: 2 });
    const { codes } = await lifecycle(clean);
    expect(codes).toEqual([0, 0, 0]);
    reference = snapshot(clean);
    await clean.close();
  }
  return reference;
}

function noDuplicates(target: MockGitHub) {
  const titles = target.issues.map((i) => i.title);
  expect(new Set(titles).size).toBe(titles.length);
  for (const issue of target.issues) {
    const markers = issue.comments.map((c) => c.body.split("\n")[0]);
    expect(new Set(markers).size).toBe(markers.length);
  }
}

describe("filing through failures", () => {
  it("the reference lifecycle: files, comments on changed evidence, closes", async () => {
    const ref = await referenceState();
    expect(ref).toHaveLength(tickets);
    expect(ref.every((i) => i.state === "closed")).toBe(true);
    expect(ref.map((i) => i.comments.length)).toContain(2); // evidence changed, then corroborated
  });

  it("rides out primary and secondary rate limits (403) on reads and writes", async () => {
    gh.fail({ kind: "rate-limit", method: "GET", path: /\/issues$/ });
    gh.fail({ kind: "secondary", method: "POST", path: /\/issues$/, skip: 1 });
    gh.fail({ kind: "rate-limit", method: "POST", path: /\/comments$/ });
    gh.fail({ kind: "secondary", method: "PATCH" });
    const { codes, printed } = await lifecycle(gh);
    expect(codes).toEqual([0, 0, 0]);
    expect(gh.pending()).toEqual([]);
    expect(snapshot(gh)).toEqual(await referenceState());
    expect(printed.join("\n")).toMatch(/github: rate limited on GET \S*\/repos\/acme\/widgets\/issues\?labels=refute&state=all\S*; retrying in \d+ s \(retry 1 of 5\)/);
    expect(printed.join("\n")).toMatch(/github: secondary rate limit on POST \/repos\/\{owner\}\/\{repo\}\/issues; retrying in 1 s/);
    const limited = gh.requests.filter((r) => r.failure === "rate-limit" || r.failure === "secondary");
    expect(limited.map((r) => r.status)).toEqual([403, 403, 403, 403]);
  });

  it("retries 502s and dropped connections of reads and updates", async () => {
    gh.fail({ kind: "bad-gateway", method: "GET", path: /\/issues$/, times: 2 });
    gh.fail({ kind: "drop-before", method: "GET", path: /\/labels$/ });
    gh.fail({ kind: "drop-after", method: "PATCH" });
    gh.fail({ kind: "bad-gateway", method: "GET", path: /\/comments$/ });
    const { codes } = await lifecycle(gh);
    expect(codes).toEqual([0, 0, 0]);
    expect(gh.pending()).toEqual([]);
    expect(snapshot(gh)).toEqual(await referenceState());
  });

  it("an issue created by a POST whose connection dropped is found, not filed again", async () => {
    gh.fail({ kind: "drop-after", method: "POST", path: /\/issues$/ });
    const run = await ticket(gh, phases[0], ["--apply", "--json"]);
    expect(run.code).toBe(0);
    expect(gh.requests.filter((r) => r.failure === "drop-after")).toHaveLength(1);
    expect(run.json().results!.filter((r) => r.recovered)).toEqual([expect.objectContaining({ kind: "create", ok: true, recovered: [expect.stringMatching(/^create issue for [0-9a-f]{16}$/)] })]);
    expect(gh.issues).toHaveLength(tickets);
    noDuplicates(gh);
  });

  it("a POST that never reached GitHub (dropped before, 502) is posted again, once", async () => {
    gh.fail({ kind: "drop-before", method: "POST", path: /\/issues$/ });
    gh.fail({ kind: "bad-gateway", method: "POST", path: /\/issues$/ });
    const run = await ticket(gh, phases[0], ["--apply", "--json"]);
    expect(run.code).toBe(0);
    expect(gh.issues).toHaveLength(tickets);
    expect(gh.requests.filter((r) => r.method === "POST" && r.path.endsWith("/issues"))).toHaveLength(tickets + 2);
    noDuplicates(gh);
  });

  it("a comment whose response was lost is found by its run marker, not written again", async () => {
    await ticket(gh, phases[0], ["--apply"]);
    gh.fail({ kind: "drop-after", method: "POST", path: /\/comments$/ });
    gh.fail({ kind: "drop-after", method: "POST", path: /\/comments$/, skip: 1 });
    const run = await ticket(gh, phases[1], ["--apply", "--json"]);
    expect(run.code).toBe(0);
    const recovered = run.json().results!.filter((r) => r.recovered);
    expect(recovered.length).toBeGreaterThanOrEqual(1);
    expect(gh.issues.flatMap((i) => i.comments).length).toBe(run.json().plan.actions.filter((a) => a.kind === "comment").length);
    noDuplicates(gh);
  });

  it("property: any schedule of failures ends in the same repository as none", async () => {
    const ref = await referenceState();
    const failure: fc.Arbitrary<Failure> = fc.record({
      kind: fc.constantFrom<FailureKind>("rate-limit", "secondary", "bad-gateway", "drop-before", "drop-after"),
      method: fc.constantFrom("GET", "POST", "PATCH"),
      path: fc.constantFrom(/\/issues$/, /\/comments$/, /\/labels$/, /\/issues\/\d+$/, /^\/search\//),
      times: fc.integer({ min: 1, max: 2 }),
      skip: fc.integer({ min: 0, max: 3 }),
    });
    let injected = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), failure), { maxLength: 4 }), async (schedule) => {
        const target = await startMockGitHub({ token: TOKEN, maxPerPage: 2 });
        try {
          const { codes } = await lifecycle(target, (phase) => schedule.filter(([p]) => p === phase).forEach(([, f]) => target.fail({ ...f })));
          expect(codes).toEqual([0, 0, 0]);
          expect(snapshot(target)).toEqual(ref);
          noDuplicates(target);
          expect(target.requests.every((r) => !r.url.includes(TOKEN) && r.auth !== "invalid")).toBe(true);
          injected += target.requests.filter((r) => r.failure).length;
        } finally {
          await target.close();
        }
      }),
      { numRuns: 12 },
    );
    expect(injected).toBeGreaterThan(0);
  });
});
