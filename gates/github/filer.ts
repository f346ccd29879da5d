// `ticket --file`: read what GitHub has, plan (gates/github/plan.ts), and, with --apply,
// perform the plan one action at a time.
//
// Nothing is filed twice and nothing is lost when a request fails halfway:
// - issues are found by listing every issue with the `refute` label (consistent, unlike the
//   search index); fingerprints that would get a new issue are also searched for, which
//   finds an issue whose label someone removed;
// - a POST that failed (5xx, dropped connection, timeout) may still have been done: before
//   posting again the filer looks for its result (the issue by fingerprint, the comment by
//   the run marker), and posts again only when it is not there;
// - a comment is written before the state or body change it announces, so an interrupted
//   run repeats the change on its next run rather than silently skipping the comment; and
//   a comment that this run already wrote (same run marker) is never written again.

import { RefuteError } from "../../core/errors.ts";
import type { Report } from "../report.ts";
import { isTransient, type IssueTracker } from "./client.ts";
import { indexIssues, planFiling, REFUTE_LABEL, fingerprintsToCreate, type Action, type FilingPlan } from "./plan.ts";
import { issueFingerprint, runKey, runMarker, type RemoteIssue } from "./issues.ts";

export interface RemoteState {
  issues: RemoteIssue[];
  labels: string[];
  warnings: string[];
}

/** The refute issues and the labels of the repository. */
export async function readRemote(tracker: IssueTracker, report: Report): Promise<{ plan: FilingPlan; remote: RemoteState }> {
  const [issues, labels] = await Promise.all([tracker.listIssues(REFUTE_LABEL), tracker.listLabels()]);
  const remote: RemoteState = { issues, labels, warnings: [] };
  let plan = planFiling(report, issues, labels);
  const missing = fingerprintsToCreate(plan);
  if (missing.length > 0) {
    // An issue whose label was removed is not listed above; the search index finds it (late).
    const found: RemoteIssue[] = [];
    for (const fp of missing) {
      try {
        found.push(...(await tracker.searchIssues(fp)).filter((i) => !i.isPullRequest && issueFingerprint(i) === fp));
      } catch (e) {
        remote.warnings.push(`search for ${fp} failed, relying on the label listing: ${(e as Error).message}`);
      }
    }
    if (found.length > 0) {
      for (const i of found) remote.warnings.push(`#${i.number} carries fingerprint ${issueFingerprint(i)} but not the '${REFUTE_LABEL}' label`);
      remote.issues = [...issues, ...found];
      plan = planFiling(report, remote.issues, labels);
    }
  }
  plan.warnings.unshift(...remote.warnings);
  return { plan, remote };
}

export interface ActionResult {
  kind: Action["kind"];
  fingerprint: string | null;
  issue: number | null;
  ok: boolean;
  /** What was done, in words: "created #12", "closed #9 with a comment". */
  done: string;
  /** A POST whose response was lost was found to have been done after all. */
  recovered?: string[];
  error?: string;
}

export interface ApplyOptions {
  /** Attempts of one POST, counting the first. */
  attempts?: number;
  /** Wait before attempt n (1-based) after a failure; default 2^n s. */
  backoffMs?: (attempt: number) => number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A non-idempotent write done at most once: `find` looks for its result, `post` does it. A
 * transient failure of `post` is followed by `find`; only when that finds nothing is it posted again.
 */
async function once<T>(what: string, find: () => Promise<T | null>, post: () => Promise<T>, options: ApplyOptions, recovered: string[]): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await post();
    } catch (e) {
      if (!isTransient(e) || attempt >= attempts) throw e;
      options.log?.(`${what}: ${(e as Error).message}; checking whether it was done before trying again`);
      await sleep(options.backoffMs?.(attempt) ?? 2 ** attempt * 1000);
      const done = await find();
      if (done !== null) {
        recovered.push(what);
        return done;
      }
    }
  }
}

async function findIssue(tracker: IssueTracker, fingerprint: string): Promise<RemoteIssue | null> {
  const { byFingerprint } = indexIssues(await tracker.listIssues(REFUTE_LABEL));
  return byFingerprint.get(fingerprint)?.[0] ?? null;
}

/** Posts the comment unless this run's marker is already on the issue. */
async function commentOnce(tracker: IssueTracker, issue: number, comment: string, marker: string, options: ApplyOptions, recovered: string[]): Promise<boolean> {
  const find = async () => (await tracker.listComments(issue)).find((c) => c.body.includes(marker)) ?? null;
  if ((await find()) !== null) return false;
  await once(`comment on #${issue}`, find, () => tracker.createComment(issue, comment), options, recovered);
  return true;
}

async function perform(tracker: IssueTracker, action: Action, marker: string, options: ApplyOptions, recovered: string[]): Promise<{ issue: number | null; done: string }> {
  switch (action.kind) {
    case "label":
      await tracker.createLabel(action.label, action.color, action.description);
      return { issue: null, done: `label '${action.label}' created` };
    case "create": {
      const issue = await once(
        `create issue for ${action.fingerprint}`,
        () => findIssue(tracker, action.fingerprint),
        () => tracker.createIssue({ title: action.title, body: action.body, labels: action.labels }),
        options,
        recovered,
      );
      return { issue: issue.number, done: `created #${issue.number}` };
    }
    case "comment": {
      const wrote = await commentOnce(tracker, action.issue, action.comment, marker, options, recovered);
      await tracker.updateIssue(action.issue, { body: action.body });
      return { issue: action.issue, done: `${wrote ? "commented on" : "already commented on"} #${action.issue}; body updated` };
    }
    case "reopen": {
      const wrote = await commentOnce(tracker, action.issue, action.comment, marker, options, recovered);
      await tracker.updateIssue(action.issue, { state: "open", state_reason: "reopened", body: action.body });
      return { issue: action.issue, done: `reopened #${action.issue}${wrote ? " with a comment" : ""}` };
    }
    case "close": {
      const wrote = await commentOnce(tracker, action.issue, action.comment, marker, options, recovered);
      await tracker.updateIssue(action.issue, { state: "closed", state_reason: "completed" });
      return { issue: action.issue, done: `closed #${action.issue}${wrote ? " with a comment" : ""}` };
    }
    case "keep":
      return { issue: action.issue, done: `no change to #${action.issue}: ${action.reason}` };
  }
}

/**
 * Performs the plan in order, one action at a time. A failed action is reported and the
 * rest still run, except that no issue is created when a label it needs could not be.
 */
export async function applyPlan(tracker: IssueTracker, report: Report, plan: FilingPlan, options: ApplyOptions = {}): Promise<ActionResult[]> {
  const marker = runMarker(runKey(report));
  const results: ActionResult[] = [];
  const failedLabels = new Set<string>();
  for (const action of plan.actions) {
    const fingerprint = "fingerprint" in action ? action.fingerprint : null;
    const recovered: string[] = [];
    try {
      if (action.kind === "create" && action.labels.some((l) => failedLabels.has(l))) {
        throw new RefuteError("E_GITHUB", `not created: label ${action.labels.filter((l) => failedLabels.has(l)).join(", ")} could not be created`);
      }
      const { issue, done } = await perform(tracker, action, marker, options, recovered);
      results.push({ kind: action.kind, fingerprint, issue, ok: true, done, ...(recovered.length ? { recovered } : {}) });
    } catch (e) {
      if (action.kind === "label") failedLabels.add(action.label);
      const issue = "issue" in action ? action.issue : null;
      results.push({ kind: action.kind, fingerprint, issue, ok: false, done: "failed", error: (e as Error).message, ...(recovered.length ? { recovered } : {}) });
    }
  }
  return results;
}
