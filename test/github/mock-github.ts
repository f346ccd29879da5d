// A local stand-in for the GitHub REST API: a real node:http server on 127.0.0.1 (an
// ephemeral port) with the endpoints `ticket --file` uses, in memory, and failures a test
// can inject in front of any of them.
//
//   GET   /repos/:o/:r/issues?labels&state&per_page&page   Link-header pagination, newest first
//   POST  /repos/:o/:r/issues                              create (unknown labels are created)
//   PATCH /repos/:o/:r/issues/:n                           state, state_reason, body, title
//   GET   /repos/:o/:r/issues/:n/comments                  paginated, oldest first
//   POST  /repos/:o/:r/issues/:n/comments
//   GET   /repos/:o/:r/labels                              paginated
//   POST  /repos/:o/:r/labels                              422 already_exists when it exists
//   GET   /search/issues?q=repo:o/r is:issue "text"        title/body contain every quoted text
//
// An optional /api/v3 prefix is accepted (GitHub Enterprise's base URL). Writes need the
// token (`authorization: token <t>` or `bearer <t>`); reads work anonymously, as on a public
// repository, but a wrong token is 401.
//
// Failures, each for the next `times` requests that match:
//   rate-limit   403, x-ratelimit-remaining: 0, x-ratelimit-reset: now (nothing done)
//   secondary    403 "secondary rate limit" with retry-after: 1 (nothing done)
//   bad-gateway  502 (nothing done)
//   drop-before  the socket is destroyed before anything is done
//   drop-after   the request is done, then the socket is destroyed instead of answering
//   echo-auth    400 whose message repeats the authorization header (a careless proxy):
//                what the client prints of an error must still not show the token

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface MockIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  comments: Array<{ id: number; body: string }>;
  pull_request?: boolean;
}

export type FailureKind = "rate-limit" | "secondary" | "bad-gateway" | "drop-before" | "drop-after" | "echo-auth";

export interface Failure {
  kind: FailureKind;
  method?: string;
  /** Matches the path (without /api/v3 and the query). */
  path?: RegExp;
  times?: number; // default 1
  /** Let this many matching requests through first. */
  skip?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  url: string; // as requested, with the query
  /** The authorization header's scheme and whether its token was the right one; the token itself is never kept. */
  auth: "none" | "valid" | "invalid";
  status: number | "dropped";
  failure?: FailureKind;
}

export interface MockGitHub {
  url: string; // http://127.0.0.1:<port>
  owner: string;
  repo: string;
  issues: MockIssue[];
  labels: Array<{ name: string; color: string; description: string }>;
  requests: RecordedRequest[];
  fail(failure: Failure): void;
  /** Failures still waiting to happen. */
  pending(): Failure[];
  seedIssue(issue: Partial<MockIssue> & { title: string; body: string }): MockIssue;
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

export interface MockOptions {
  token: string;
  owner?: string;
  repo?: string;
  /** The largest page the server returns, whatever per_page asks (default 100). */
  maxPerPage?: number;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function startMockGitHub(options: MockOptions): Promise<MockGitHub> {
  const owner = options.owner ?? "acme";
  const repo = options.repo ?? "widgets";
  const maxPerPage = options.maxPerPage ?? 100;
  const failures: Array<Failure & { left: number; skipped: number }> = [];
  let nextComment = 1000;
  let base = "";

  const state = {
    issues: [] as MockIssue[],
    labels: [] as Array<{ name: string; color: string; description: string }>,
    requests: [] as RecordedRequest[],
  };

  const issueJson = (i: MockIssue) => ({
    id: 100000 + i.number,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    labels: i.labels.map((name) => ({ name })),
    html_url: `https://github.invalid/${owner}/${repo}/issues/${i.number}`,
    comments: i.comments.length,
    ...(i.pull_request ? { pull_request: { url: "https://github.invalid/pull" } } : {}),
  });

  const ensureLabel = (name: string) => {
    if (!state.labels.some((l) => l.name === name)) state.labels.push({ name, color: "ededed", description: "" });
  };

  function page<T>(items: T[], url: URL, key?: string): Reply {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), maxPerPage);
    const pageNo = Math.max(1, Number(url.searchParams.get("page") ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    const link = (n: number, rel: string) => {
      const u = new URL(url.toString());
      u.searchParams.set("page", String(n));
      return `<${base}${u.pathname}${u.search}>; rel="${rel}"`;
    };
    const links = [...(pageNo < last ? [link(pageNo + 1, "next"), link(last, "last")] : []), ...(pageNo > 1 ? [link(1, "first"), link(pageNo - 1, "prev")] : [])];
    return {
      status: 200,
      body: key ? { total_count: items.length, incomplete_results: false, [key]: slice } : slice,
      headers: links.length ? { link: links.join(", ") } : {},
    };
  }

  function route(method: string, path: string, url: URL, body: Record<string, unknown>, auth: RecordedRequest["auth"]): Reply {
    if (auth === "invalid") return { status: 401, body: { message: "Bad credentials" } };
    const write = method !== "GET";
    if (write && auth !== "valid") return { status: 401, body: { message: "Requires authentication" } };
    if (method === "GET" && path === "/search/issues") {
      const q = url.searchParams.get("q") ?? "";
      const phrases = [...q.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      const inRepo = new RegExp(`(^|\\s)repo:${owner}/${repo}(\\s|$)`).test(q);
      const issuesOnly = /(^|\s)is:issue(\s|$)/.test(q);
      const items = inRepo
        ? state.issues.filter((i) => (!issuesOnly || !i.pull_request) && phrases.every((p) => i.title.includes(p) || i.body.includes(p)))
        : [];
      return page(items.map(issueJson), url, "items");
    }
    const prefix = `/repos/${owner}/${repo}`;
    if (!path.startsWith(prefix + "/")) return { status: 404, body: { message: "Not Found" } };
    const rest = path.slice(prefix.length);
    let m: RegExpExecArray | null;
    if (rest === "/issues" && method === "GET") {
      const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
      const wanted = url.searchParams.get("state") ?? "open";
      const items = state.issues
        .filter((i) => labels.every((l) => i.labels.includes(l)) && (wanted === "all" || i.state === wanted))
        .sort((a, b) => b.number - a.number);
      return page(items.map(issueJson), url);
    }
    if (rest === "/issues" && method === "POST") {
      if (typeof body.title !== "string" || body.title.length === 0) return { status: 422, body: { message: "Validation Failed" } };
      const labels = (body.labels as string[] | undefined) ?? [];
      labels.forEach(ensureLabel);
      const issue: MockIssue = { number: state.issues.length + 1, title: body.title, body: String(body.body ?? ""), state: "open", state_reason: null, labels, comments: [] };
      state.issues.push(issue);
      return { status: 201, body: issueJson(issue) };
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest)) && method === "PATCH") {
      const issue = state.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return { status: 404, body: { message: "Not Found" } };
      if (body.state === "open" || body.state === "closed") {
        if (body.state !== issue.state) issue.state_reason = body.state === "closed" ? String(body.state_reason ?? "completed") : "reopened";
        issue.state = body.state;
      }
      if (typeof body.body === "string") issue.body = body.body;
      if (typeof body.title === "string") issue.title = body.title;
      return { status: 200, body: issueJson(issue) };
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = state.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return { status: 404, body: { message: "Not Found" } };
      if (method === "GET") return page(issue.comments.map((c) => ({ id: c.id, body: c.body })), url);
      if (method === "POST") {
        const comment = { id: nextComment++, body: String(body.body ?? "") };
        issue.comments.push(comment);
        return { status: 201, body: comment };
      }
    }
    if (rest === "/labels" && method === "GET") return page(state.labels, url);
    if (rest === "/labels" && method === "POST") {
      const name = String(body.name ?? "");
      if (state.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
        return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] } };
      }
      const label = { name, color: String(body.color ?? "ededed"), description: String(body.description ?? "") };
      state.labels.push(label);
      return { status: 201, body: label };
    }
    return { status: 404, body: { message: "Not Found" } };
  }

  function takeFailure(method: string, path: string): FailureKind | undefined {
    for (const f of failures) {
      if (f.left <= 0 || (f.method && f.method !== method) || (f.path && !f.path.test(path))) continue;
      if (f.skipped < (f.skip ?? 0)) {
        f.skipped++;
        continue;
      }
      f.left--;
      return f.kind;
    }
    return undefined;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", base);
      const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
      const method = req.method ?? "GET";
      const header = req.headers.authorization;
      const presented = header ? header.replace(/^(token|bearer)\s+/i, "") : null;
      const auth: RecordedRequest["auth"] = presented === null ? "none" : presented === options.token ? "valid" : "invalid";
      const record: RecordedRequest = { method, path, url: req.url ?? "", auth, status: 0 };
      state.requests.push(record);
      const failure = takeFailure(method, path);
      if (failure) record.failure = failure;
      if (failure === "drop-before") {
        record.status = "dropped";
        req.socket.destroy();
        return;
      }
      const send = (reply: Reply) => {
        record.status = reply.status;
        res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "4999", ...reply.headers });
        res.end(JSON.stringify(reply.body));
      };
      const now = Math.floor(Date.now() / 1000);
      if (failure === "rate-limit") {
        return send({
          status: 403,
          body: { message: "API rate limit exceeded for installation ID 1.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" },
          headers: { "x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000", "x-ratelimit-reset": String(now) },
        });
      }
      if (failure === "secondary") {
        return send({ status: 403, body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, headers: { "retry-after": "1" } });
      }
      if (failure === "bad-gateway") return send({ status: 502, body: { message: "Server Error" } });
      if (failure === "echo-auth") return send({ status: 400, body: { message: `proxy refused authorization '${header ?? ""}' for ${url.pathname}` } });
      let parsed: Record<string, unknown> = {};
      if (chunks.length > 0) {
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          return send({ status: 400, body: { message: "Problems parsing JSON" } });
        }
      }
      const reply = route(method, path, url, parsed, auth);
      if (failure === "drop-after") {
        record.status = "dropped";
        req.socket.destroy();
        return;
      }
      send(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    owner,
    repo,
    get issues() {
      return state.issues;
    },
    get labels() {
      return state.labels;
    },
    get requests() {
      return state.requests;
    },
    fail: (f) => failures.push({ ...f, left: f.times ?? 1, skipped: 0 }),
    pending: () => failures.filter((f) => f.left > 0),
    seedIssue: (partial) => {
      const issue: MockIssue = { number: state.issues.length + 1, state: "open", state_reason: null, labels: [], comments: [], ...partial };
      issue.labels.forEach(ensureLabel);
      state.issues.push(issue);
      return issue;
    },
    writes: () => state.requests.filter((r) => r.method !== "GET"),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
