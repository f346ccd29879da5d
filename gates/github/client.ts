// The GitHub REST calls `ticket --file` makes, through @octokit/rest with the retry and
// throttling plugins, behind one small interface (IssueTracker) that the filer uses.
//
// Retries: idempotent requests (GET, PATCH) are retried by plugin-retry on 5xx and network
// errors; rate limits (403 with x-ratelimit-remaining 0, secondary limits with retry-after,
// 429) by plugin-throttling, which also spaces writes as GitHub asks. Creating an issue or a
// comment is not idempotent: those POSTs are never retried blindly; the filer looks for what
// a failed POST may have created before it posts again (gates/github/filer.ts).
//
// The token is handed to Octokit and nowhere else: every line this module logs, and every
// error it throws, passes through `redact`.

import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { RefuteError } from "../../core/errors.ts";
import { isLoopback, redactCredentials } from "../../core/url-credentials.ts";
import type { RemoteComment, RemoteIssue } from "./issues.ts";

export interface IssueTracker {
  readonly repo: string; // owner/name
  /** Every issue (open and closed) with this label, all pages. */
  listIssues(label: string): Promise<RemoteIssue[]>;
  /** Issues whose title or body contains the text (the search API; it may lag behind writes). */
  searchIssues(text: string): Promise<RemoteIssue[]>;
  listLabels(): Promise<string[]>;
  /** Creates a label; one that already exists is not an error. */
  createLabel(name: string, color: string, description: string): Promise<void>;
  /** Not retried on failure: the caller decides (it may have been created). */
  createIssue(input: { title: string; body: string; labels: string[] }): Promise<RemoteIssue>;
  updateIssue(number: number, patch: { state?: "open" | "closed"; state_reason?: "completed" | "reopened"; body?: string }): Promise<RemoteIssue>;
  listComments(number: number): Promise<RemoteComment[]>;
  /** Not retried on failure: the caller decides (it may have been created). */
  createComment(number: number, body: string): Promise<RemoteComment>;
}

export interface ClientTuning {
  /** Retries of an idempotent request after a 5xx or a network error. */
  retries: number;
  /** plugin-retry waits (attempt + 1)^2 x this many ms. */
  retryBaseMs: number;
  /** Rate-limit retries of one request. */
  rateLimitRetries: number;
  /** A rate limit's retry-after (seconds) x this many ms is the wait. */
  rateLimitBaseMs: number;
  /** Give up rather than wait longer than this for a rate limit to reset. */
  maxRateLimitWaitS: number;
  /** GitHub's write spacing (1 s between writes, 3 s between notifying writes); tests turn it off. */
  spaceWrites: boolean;
  /** Abort one HTTP request after this long (it is then retried like a network error). */
  requestTimeoutMs: number;
}

export const defaultTuning: ClientTuning = {
  retries: 4,
  retryBaseMs: 1000,
  rateLimitRetries: 3,
  rateLimitBaseMs: 1000,
  maxRateLimitWaitS: 900,
  spaceWrites: true,
  requestTimeoutMs: 60_000,
};

export interface ClientOptions {
  repo: string; // owner/name
  token?: string;
  baseUrl?: string; // default https://api.github.com
  /** Retries, rate limits and octokit warnings, one line each, token redacted. */
  log?: (line: string) => void;
  tuning?: Partial<ClientTuning>;
}

export const DEFAULT_BASE_URL = "https://api.github.com";

/** Replaces every occurrence of the token (and its URL-encoded form) with `***`. */
export function redactor(token: string | undefined): (text: string) => string {
  if (!token) return (text) => text;
  const forms = [...new Set([token, encodeURIComponent(token)])];
  return (text) => forms.reduce((t, f) => t.split(f).join("***"), text);
}

export function parseRepo(repo: string): { owner: string; name: string } {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repo);
  if (!m) throw new RefuteError("E_USAGE", `--repo expects owner/name, found '${repo}'`, { repo });
  return { owner: m[1], name: m[2] };
}

const GitHub = Octokit.plugin(retry, throttling);

/** A Bottleneck.Group stand-in that runs every job at once: no write spacing. */
const unspaced = { key: () => ({ schedule: (_options: unknown, job: (...a: unknown[]) => unknown, ...args: unknown[]) => job(...args) }) } as never;

interface GitHubIssueJson {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  labels: Array<string | { name?: string }>;
  html_url: string;
  pull_request?: unknown;
}

function toIssue(j: GitHubIssueJson): RemoteIssue {
  return {
    number: j.number,
    title: j.title,
    body: j.body ?? "",
    state: j.state === "closed" ? "closed" : "open",
    stateReason: j.state_reason ?? null,
    labels: j.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
    url: j.html_url,
    isPullRequest: j.pull_request !== undefined && j.pull_request !== null,
  };
}

/** An HTTP status worth trying again (or, for a POST, worth looking for what it may have done). */
export function isTransient(e: unknown): boolean {
  const status = (e as { facts?: { status?: number } }).facts?.status;
  return status === undefined || status === 0 || status === 408 || status >= 500;
}

/** The API's base URL, when a token may travel to it: https, or plain http to a loopback test server only. */
function checkedBaseUrl(raw: string): string {
  const url = raw.replace(/\/+$/, "");
  if (url.startsWith("https://") || (url.startsWith("http://") && isLoopback(url))) return url;
  throw new RefuteError("E_USAGE", `GitHub API base URL ${redactCredentials(url)} is not https: the token would travel unencrypted (plain http is accepted for loopback test servers only)`, { option: "base-url" });
}

export function createIssueTracker(options: ClientOptions): IssueTracker {
  const baseUrl = checkedBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const { owner, name: repo } = parseRepo(options.repo);
  const tuning = { ...defaultTuning, ...options.tuning };
  const redact = redactor(options.token);
  const log = (line: string) => options.log?.(redact(line));
  const onLimit = (what: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const again = retryCount < tuning.rateLimitRetries && retryAfter <= tuning.maxRateLimitWaitS;
    log(`github: ${what} on ${request.method} ${request.url}; ${again ? `retrying in ${retryAfter} s (retry ${retryCount + 1} of ${tuning.rateLimitRetries})` : "giving up"}`);
    return again;
  };
  const octokit = new GitHub({
    auth: options.token || undefined,
    baseUrl,
    userAgent: "refute-ticket",
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(`github: ${m}`), error: (m: string) => log(`github: ${m}`) },
    request: {
      fetch: (url: string, init: RequestInit) => fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(tuning.requestTimeoutMs) }),
    },
    retry: { retries: tuning.retries, retryAfterBaseValue: tuning.retryBaseMs },
    throttle: {
      onRateLimit: onLimit("rate limited"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      retryAfterBaseValue: tuning.rateLimitBaseMs,
      fallbackSecondaryRateRetryAfter: 60,
      ...(tuning.spaceWrites ? {} : { write: unspaced, notifications: unspaced, search: unspaced }),
    },
  });

  /** Runs one call; its failure becomes an E_GITHUB error that names the call, never the token. */
  async function call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      const status = typeof (e as { status?: unknown }).status === "number" ? ((e as { status: number }).status as number) : undefined;
      const message = redact((e as Error).message ?? String(e));
      // octokit reports a network failure as status 500 with no response
      const network = (e as { response?: unknown }).response === undefined;
      throw new RefuteError("E_GITHUB", `${what}: ${network ? "network error" : `HTTP ${status}`}: ${message}`, {
        status: network ? undefined : status,
        call: what,
      });
    }
  }
  const noRetry = { request: { retries: 0 } };

  return {
    repo: `${owner}/${repo}`,
    listIssues: (label) =>
      call(`list issues labelled ${label}`, async () =>
        (await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, labels: label, state: "all", per_page: 100 })).map((j) => toIssue(j as GitHubIssueJson)),
      ),
    searchIssues: (text) =>
      call(`search issues for "${text}"`, async () =>
        (
          await octokit.paginate(octokit.rest.search.issuesAndPullRequests, {
            q: `repo:${owner}/${repo} is:issue in:title,body "${text}"`,
            per_page: 100,
            advanced_search: "true",
          } as never)
        ).map((j) => toIssue(j as unknown as GitHubIssueJson)),
      ),
    listLabels: () =>
      call("list labels", async () => (await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 })).map((l) => l.name)),
    createLabel: (name, color, description) =>
      call(`create label ${name}`, async () => {
        try {
          await octokit.rest.issues.createLabel({ owner, repo, name, color, description });
        } catch (e) {
          const errors = (e as { response?: { data?: { errors?: Array<{ code?: string }> } } }).response?.data?.errors ?? [];
          if ((e as { status?: number }).status === 422 && errors.some((x) => x.code === "already_exists")) return;
          throw e;
        }
      }),
    createIssue: (input) =>
      call("create issue", async () => toIssue((await octokit.rest.issues.create({ owner, repo, ...input, ...noRetry })).data as GitHubIssueJson)),
    updateIssue: (number, patch) =>
      call(`update issue #${number}`, async () => toIssue((await octokit.rest.issues.update({ owner, repo, issue_number: number, ...patch })).data as GitHubIssueJson)),
    listComments: (number) =>
      call(`list comments of #${number}`, async () =>
        (await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 })).map((c) => ({ id: c.id, body: c.body ?? "" })),
      ),
    createComment: (number, body) =>
      call(`comment on #${number}`, async () => {
        const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body, ...noRetry });
        return { id: data.id, body: data.body ?? "" };
      }),
  };
}
