// Shared by the GitHub filing tests: reports from the real gate runner on the fake subject,
// `refute ticket` run in-process against the mock with fast retries, and a secret token.

import { randomBytes } from "node:crypto";
import type { TicketDeps } from "../../cli/ticket.ts";
import { ticketCommand } from "../../cli/ticket.ts";
import type { ClientTuning } from "../../gates/github/client.ts";
import type { Report } from "../../gates/report.ts";
import type { GateOptions } from "../../gates/run.ts";
import { writeReports } from "../../gates/write.ts";
import type { FakeScript } from "../gates/fake-runtime.ts";
import { runFake, tempDir } from "../gates/helpers.ts";
import type { MockGitHub } from "./mock-github.ts";

export { tempDir };

/** A token shaped like a real one, different in every test file. */
export const TOKEN = `ghp_${randomBytes(18).toString("hex")}`;

/** Retries in milliseconds instead of seconds, no write spacing. */
export const FAST: Partial<ClientTuning> = { retries: 5, retryBaseMs: 1, rateLimitBaseMs: 1, rateLimitRetries: 5, spaceWrites: false, requestTimeoutMs: 5000 };

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * The fault these tests inject: under `q4-nibble-swap`, q4_0 subjects of tiny-llama and
 * tiny-qwen2 get `positions` of the code and greeting prompts wrong, and q8_0 tiny-gpt2
 * gets one token of the code prompt wrong: several claims falsified on several groups.
 */
export const faultScript = (positions: number[] = range(8, 16)): FakeScript => ({
  flips: (s, p) => {
    if (s.inject !== "q4-nibble-swap") return [];
    if (s.quant === "q4_0" && (s.model === "tiny-llama" || s.model === "tiny-qwen2") && (p === "code" || p === "greeting")) return positions;
    if (s.quant === "q8_0" && s.model === "tiny-gpt2" && p === "code") return [5];
    return [];
  },
});

export { range };

/** A report of the real runner on the fake subject, written to a fresh reports directory. */
export async function reportDir(script: FakeScript = {}, options: Partial<GateOptions> = {}): Promise<{ dir: string; report: Report }> {
  const { report } = await runFake(script, options);
  const dir = tempDir("refute-github-");
  await writeReports(report, dir);
  return { dir, report };
}

export interface TicketRun {
  code: number;
  stdout: string[];
  stderr: string[];
  json: () => Record<string, unknown> & { plan: { actions: Array<Record<string, unknown>>; untouched: number[]; warnings: string[] }; results: Array<Record<string, unknown>> | null };
}

/** `refute ticket --file` in-process against the mock, with GITHUB_TOKEN set unless `token: null`. */
export async function ticket(gh: MockGitHub, dir: string, extra: string[] = [], options: { token?: string | null; deps?: Partial<TicketDeps> } = {}): Promise<TicketRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const token = options.token === undefined ? TOKEN : options.token;
  const code = await ticketCommand(["--file", "--repo", `${gh.owner}/${gh.repo}`, "--base-url", gh.url, "--reports", dir, ...extra], {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: token === null ? {} : { GITHUB_TOKEN: token },
    tuning: FAST,
    apply: { backoffMs: () => 1 },
    ...options.deps,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout.join("\n")) };
}

/** What the repository holds, in a form two runs can be compared by. */
export function snapshot(gh: MockGitHub) {
  return gh.issues.map((i) => ({
    number: i.number,
    title: i.title,
    state: i.state,
    state_reason: i.state_reason,
    labels: [...i.labels].sort(),
    markers: (i.body.match(/<!-- refute:[a-z]+=[0-9a-f]+ -->/g) ?? []).join(" "),
    comments: i.comments.map((c) => c.body.split("\n")[1] ?? ""),
  }));
}
