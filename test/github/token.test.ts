// The token goes to GitHub in the authorization header and nowhere else: not to stdout or
// stderr (of the real command, as a process), not into a report or any file, not into an
// issue or a comment, not into a URL; not even when an error message repeats it.

import { execa } from "execa";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { faultScript, reportDir, ticket, TOKEN } from "./helpers.ts";
import { startMockGitHub, type MockGitHub } from "./mock-github.ts";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function expectNoToken(texts: string[], where: string) {
  for (const text of texts) {
    expect(text.includes(TOKEN), `the token appears in ${where}`).toBe(false);
    expect(text.includes(TOKEN.slice(4)), `part of the token appears in ${where}`).toBe(false);
  }
}

let gh: MockGitHub;
beforeEach(async () => {
  gh = await startMockGitHub({ token: TOKEN });
});
afterEach(async () => {
  await gh.close();
  vi.restoreAllMocks();
});

describe("GITHUB_TOKEN", () => {
  it("the real command, as a process: authenticates by header only; the token is in no output, file, issue or URL", async () => {
    // One falsified group and its labels already there: one write, so GitHub's write spacing costs nothing.
    const { dir } = await reportDir(faultScript(), { inject: "q4-nibble-swap", select: { claims: ["token-int4-mismatch"], models: ["tiny-llama"] } });
    for (const name of ["refute", "suite:token", "severity:high"]) gh.labels.push({ name, color: "ededed", description: "" });
    gh.fail({ kind: "bad-gateway", method: "GET", path: /\/issues$/ });
    const args = ["bin/refute.mjs", "ticket", "--file", "--repo", "acme/widgets", "--base-url", gh.url, "--reports", dir];
    const env = { ...process.env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "", GITHUB_API_URL: "" };
    const dry = await execa("node", args, { env, reject: false, all: true });
    const applied = await execa("node", [...args, "--apply"], { env, reject: false, all: true });
    const json = await execa("node", [...args, "--json"], { env, reject: false, all: true });
    expect([dry.exitCode, applied.exitCode, json.exitCode]).toEqual([0, 0, 0]);
    expect(applied.stdout).toMatch(/create {3}new issue "token-int4-mismatch falsified on tiny-llama .*-> created #1/);
    expect(gh.issues).toHaveLength(1);
    expectNoToken([dry.all ?? "", applied.all ?? "", json.all ?? ""], "the command's output");
    expectNoToken(filesUnder(dir).map((f) => readFileSync(f, "utf8")), "the reports");
    expectNoToken(gh.issues.flatMap((i) => [i.title, i.body, ...i.comments.map((c) => c.body)]), "an issue");
    expectNoToken(gh.requests.map((r) => r.url), "a request URL");
    expect(gh.requests.filter((r) => r.method !== "GET").every((r) => r.auth === "valid")).toBe(true);
    expect(gh.requests.every((r) => r.auth === "valid")).toBe(true);
  });

  it("is redacted from an error that repeats it, and nothing reaches the console", async () => {
    const consoleCalls: unknown[][] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, method).mockImplementation((...a: unknown[]) => void consoleCalls.push(a));
    const { dir } = await reportDir(faultScript(), { inject: "q4-nibble-swap" });
    gh.fail({ kind: "echo-auth", method: "GET", path: /\/issues$/ });
    const read = await ticket(gh, dir, ["--apply"]);
    expect(read.code).toBe(2);
    expect(read.stderr.join("\n")).toMatch(/list issues labelled refute: HTTP 400: proxy refused authorization 'token \*\*\*'/);
    gh.fail({ kind: "echo-auth", method: "POST", path: /\/issues$/ });
    const write = await ticket(gh, dir, ["--apply", "--json"]);
    expect(write.code).toBe(1);
    expect(JSON.stringify(write.json().results)).toContain("proxy refused authorization 'token ***'");
    expectNoToken([...read.stdout, ...read.stderr, ...write.stdout, ...write.stderr], "the command's output");
    expect(consoleCalls).toEqual([]);
  });

  it("a wrong token is refused by GitHub (exit 2) and not shown", async () => {
    const { dir } = await reportDir(faultScript(), { inject: "q4-nibble-swap" });
    const wrong = `ghp_${"x".repeat(36)}`;
    const run = await ticket(gh, dir, ["--apply"], { token: wrong });
    expect(run.code).toBe(2);
    expect(run.stderr.join("\n")).toMatch(/HTTP 401: Bad credentials/);
    expect([...run.stdout, ...run.stderr].join("\n")).not.toContain(wrong);
    expect(gh.writes()).toEqual([]);
  });
});

describe("the API's base URL", () => {
  it("must be https, or plain http to loopback only: the token never travels unencrypted", async () => {
    const { dir } = await reportDir(faultScript(), { inject: "q4-nibble-swap", select: { claims: ["token-int4-mismatch"], models: ["tiny-llama"] } });
    const remote = { ...gh, url: gh.url.replace("127.0.0.1", "192.0.2.2") }; // TEST-NET-1: never reached
    const run = await ticket(remote, dir);
    expect(run.code).toBe(2);
    expect(run.stderr.join("\n")).toMatch(/base URL http:\/\/192\.0\.2\.2:\d+ is not https: the token would travel unencrypted/);
    expect(gh.requests).toHaveLength(0);
  });
});
