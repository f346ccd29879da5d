// .github/workflows/falsify.yml: the structure GitHub Actions will run (triggers, the shard
// matrix, the merge job after the shards, the token from secrets), every refute command it
// runs accepted by the CLI, and its shell steps run here with a stub pnpm: a falsified
// claim (exit 1) does not stop the workflow, a configuration error (exit 2) does, and the
// commit step commits and pushes the reports and the scoreboard.

import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { gatesCommand } from "../../cli/gates.ts";
import { reportCommand } from "../../cli/report.ts";
import { ticketCommand } from "../../cli/ticket.ts";
import { tempDir } from "./helpers.ts";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  "runs-on": string;
  permissions?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: { schedule?: Array<{ cron: string }>; workflow_dispatch?: unknown };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = readFileSync(".github/workflows/falsify.yml", "utf8");
const workflow = yaml.load(text) as Workflow;
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string>; packageManager: string };

const jobWith = (pattern: RegExp): [string, Job] => {
  const found = Object.entries(workflow.jobs).filter(([, j]) => j.steps.some((s) => s.run && pattern.test(s.run)));
  expect(found, `exactly one job runs ${pattern}`).toHaveLength(1);
  return found[0];
};
const stepWith = (job: Job, pattern: RegExp) => job.steps.find((s) => s.run && pattern.test(s.run))!;
const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** The step's script as GitHub runs it (`bash -e`), with ${{ }} expressions substituted. */
function runStep(script: string, options: { cwd: string; pnpmExit?: number; env?: Record<string, string> }) {
  const bin = join(options.cwd, ".stub-bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "pnpm"), `#!/usr/bin/env bash\necho "pnpm $*" >> "${join(options.cwd, ".stub-log")}"\nexit ${options.pnpmExit ?? 0}\n`);
  chmodSync(join(bin, "pnpm"), 0o755);
  const expanded = script
    .replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, "1")
    .replace(/\$\{\{\s*github\.repository\s*\}\}/g, "acme/widgets")
    .replace(/\$\{\{\s*github\.run_id\s*\}\}/g, "4242");
  expect(expanded).not.toMatch(/\$\{\{/);
  const result = spawnSync("bash", ["-e", "-c", expanded], {
    cwd: options.cwd,
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...options.env },
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe(".github/workflows/falsify.yml", () => {
  it("runs weekly and on manual dispatch, with read-only default permissions", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(workflow.on.schedule).toHaveLength(1);
    const fields = workflow.on.schedule![0].cron.split(/\s+/);
    expect(fields).toHaveLength(5);
    expect(fields.slice(2, 4)).toEqual(["*", "*"]); // any day of month, any month...
    expect(fields[4]).toMatch(/^[0-6]$/); // ...on one day of the week: weekly
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("shards every suite over a matrix whose shards are exactly 1..n; a shard's failure cancels no other", () => {
    const [, job] = jobWith(/pnpm --silent gates --shard/);
    const step = stepWith(job, /pnpm --silent gates --shard/);
    const m = /pnpm --silent gates --shard \$\{\{\s*matrix\.shard\s*\}\}\/(\d+)(.*)/.exec(step.run!);
    expect(m, "the gates step shards with --shard ${{ matrix.shard }}/n").not.toBeNull();
    const n = Number(m![1]);
    expect(n).toBeGreaterThan(1);
    expect(job.strategy!.matrix.shard).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(job.strategy!["fail-fast"]).toBe(false);
    expect(m![2]).toMatch(/--json/);
    expect(m![2]).not.toMatch(/--suite|--claim|--model/); // all suites
  });

  it("a falsified claim (exit 1) lets the shard go on to upload its report; a configuration error (exit 2) fails it", () => {
    const [, job] = jobWith(/pnpm --silent gates --shard/);
    const script = stepWith(job, /pnpm --silent gates --shard/).run!;
    for (const [exit, ok] of [[0, true], [1, true], [2, false]] as const) {
      const cwd = tempDir("refute-workflow-");
      const { status, output } = runStep(script, { cwd, pnpmExit: exit });
      expect(status === 0, `pnpm gates exiting ${exit}: ${output}`).toBe(ok);
      expect(readFileSync(join(cwd, ".stub-log"), "utf8")).toMatch(/^pnpm --silent gates --shard 1\/\d+ --json --reports shard\n$/);
    }
    // The upload runs whatever happened before it, and uploads where --reports wrote.
    const gatesAt = job.steps.findIndex((s) => s.run && /pnpm --silent gates --shard/.test(s.run));
    const upload = job.steps.slice(gatesAt + 1).find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.if).toMatch(/always\(\)|!cancelled\(\)/);
    const reportsDir = /--reports (\S+)/.exec(script)![1];
    expect(String(upload.with!.path).replace(/\/$/, "")).toBe(reportsDir);
    expect(upload.with!.name).toMatch(/\$\{\{\s*matrix\.shard\s*\}\}/);
  });

  it("the shard's command, run with the real pnpm, writes exactly one JSON object to stdout (pnpm's banner would precede it without --silent)", () => {
    const [, job] = jobWith(/pnpm --silent gates --shard/);
    const line = stepWith(job, /pnpm --silent gates --shard/).run!.split("\n").find((l) => /pnpm --silent gates/.test(l))!;
    const args = line.replace(/^\s*pnpm\s+/, "").replace(/\s*>.*$/, "").replace(/\$\{\{\s*matrix\.shard\s*\}\}/, "1").split(/\s+/);
    const reports = tempDir("refute-workflow-");
    // the same command on one quick claim: what matters is what reaches stdout
    const result = spawnSync("pnpm", [...args.map((a) => (a === "shard" ? reports : a)), "--claim", "kernel-softmax-large-scores"], { encoding: "utf8" });
    expect([0, 1], result.stderr).toContain(result.status);
    const report = JSON.parse(result.stdout) as { tool: string; summary: { total: number } };
    expect(report.tool).toBe("refute");
  }, 60_000);

  it("the publish job needs the shards, downloads their reports, merges them, tolerating exit 1", () => {
    const [shardId, shardJob] = jobWith(/pnpm --silent gates --shard/);
    const [, job] = jobWith(/pnpm report merge/);
    expect(needs(job)).toContain(shardId);
    const uploadName = String(shardJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!.with!.name);
    const download = job.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
    const pattern = new RegExp(`^${String(download.with!.pattern).replace(/\*/g, ".*")}$`);
    expect(uploadName.replace(/\$\{\{\s*matrix\.shard\s*\}\}/, "3")).toMatch(pattern);
    const merge = stepWith(job, /pnpm report merge/);
    expect(merge.run).toContain(`${download.with!.path}/*/latest.json`);
    for (const [exit, ok] of [[0, true], [1, true], [2, false]] as const) {
      expect(runStep(merge.run!, { cwd: tempDir("refute-workflow-"), pnpmExit: exit }).status === 0).toBe(ok);
    }
    const steps = job.steps.map((s) => s.run ?? s.uses ?? "");
    const at = (p: RegExp) => steps.findIndex((s) => p.test(s));
    expect(at(/pnpm report merge/)).toBeLessThan(at(/pnpm report readme/));
    expect(at(/pnpm report readme/)).toBeLessThan(at(/git commit/));
    expect(at(/pnpm report merge/)).toBeLessThan(at(/pnpm ticket --file/));
    expect(job.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@") && String(s.with!.path).includes("reports/latest.json"))).toBe(true);
  });

  it("files issues with GITHUB_TOKEN from secrets, in the environment only, with issues and contents write permission", () => {
    const [, job] = jobWith(/pnpm ticket --file/);
    expect(job.permissions).toEqual({ contents: "write", issues: "write" });
    const step = stepWith(job, /pnpm ticket --file/);
    expect(step.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
    expect(step.run).toMatch(/pnpm ticket --file --apply --repo \$\{\{\s*github\.repository\s*\}\}/);
    for (const s of Object.values(workflow.jobs).flatMap((j) => j.steps)) expect(s.run ?? "").not.toMatch(/secrets\.|GITHUB_TOKEN/);
    expect(text.match(/secrets\.\w+/g)).toEqual(["secrets.GITHUB_TOKEN"]);
    expect(text).not.toMatch(/gh[pousr]_[A-Za-z0-9]{20,}|github_pat_/);
  });

  it("sets up Node 20 and pnpm 10 (from packageManager) and installs from the lockfile in every job", () => {
    expect(pkg.packageManager).toMatch(/^pnpm@10\./);
    for (const job of Object.values(workflow.jobs)) {
      const uses = job.steps.map((s) => s.uses ?? "");
      const pnpm = job.steps.find((s) => s.uses?.startsWith("pnpm/action-setup@"))!;
      expect(pnpm, "pnpm/action-setup").toBeDefined();
      expect(pnpm.with?.version, "a version here conflicts with packageManager").toBeUndefined();
      const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
      expect(String(node.with!["node-version"])).toBe("20");
      expect(uses.findIndex((u) => u.startsWith("pnpm/action-setup@"))).toBeLessThan(uses.findIndex((u) => u.startsWith("actions/setup-node@")));
      expect(job.steps.some((s) => s.run === "pnpm install --frozen-lockfile")).toBe(true);
    }
  });

  it("every pnpm command it runs is a package script whose refute command accepts those options", async () => {
    const commands = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .flatMap((s) => (s.run ?? "").split("\n"))
      .flatMap((line) => [...line.matchAll(/(?:^|\s)pnpm\s+([^|;&>]+)/g)].map((m) => m[1].trim().replace(/^--silent\s+/, "").replace(/\$\{\{[^}]*\}\}/g, "1").split(/\s+/)));
    expect(commands.map((c) => c[0]).sort()).toEqual(["gates", "install", "install", "report", "report", "ticket"]);
    const runners: Record<string, (argv: string[], deps: { out: (t: string) => void; err: (t: string) => void }) => Promise<number>> = {
      gates: (argv, deps) => gatesCommand(argv, { ...deps, factory: async () => () => { throw new Error("not run"); } }),
      report: reportCommand,
      ticket: ticketCommand,
    };
    for (const [script, ...args] of commands) {
      if (script === "install") continue;
      expect(pkg.scripts[script], `package.json script ${script}`).toBe(`node bin/refute.mjs ${script}`);
      const out: string[] = [];
      const err: string[] = [];
      // --help after the options: the command parses them all (unknown ones are exit 2), then only prints help.
      expect(await runners[script]([...args, "--help"], { out: (t) => out.push(t), err: (t) => err.push(t) }), `${script} ${args.join(" ")}: ${err.join("")}`).toBe(0);
      const sub = args[0]?.startsWith("-") ? null : args[0];
      if (sub) expect(out.join("\n")).toContain(`refute ${script} ${sub}`);
    }
  });

  it("the commit step commits the reports and the scoreboard and pushes them; with nothing changed it commits nothing", () => {
    const [, job] = jobWith(/git commit/);
    const script = stepWith(job, /git commit/).run!;
    const root = tempDir("refute-workflow-");
    const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    const remote = join(root, "remote.git");
    git(root, "init", "-q", "--bare", "-b", "main", remote);
    const work = join(root, "work");
    git(root, "clone", "-q", remote, work);
    git(work, "config", "user.name", "t");
    git(work, "config", "user.email", "t@example.invalid");
    writeFileSync(join(work, "README.md"), "# refute\n");
    git(work, "add", "README.md");
    git(work, "commit", "-q", "-m", "start");
    git(work, "push", "-q", "origin", "HEAD:main");
    mkdirSync(join(work, "reports"));
    for (const f of ["latest.json", "latest.md", "junit.xml", "badge.json", "badge.svg", "history.jsonl"]) writeFileSync(join(work, "reports", f), `${f}\n`);
    writeFileSync(join(work, "README.md"), "# refute\n\nscoreboard\n");
    const env = { GITHUB_REF_NAME: "main", GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" };
    const first = runStep(script, { cwd: work, env });
    expect(first.status, first.output).toBe(0);
    expect(git(remote, "log", "-1", "--format=%s", "main")).toBe("falsify: weekly run 4242 [skip ci]");
    expect(git(remote, "show", "--name-only", "--format=", "main").split("\n").sort()).toEqual(
      ["README.md", ...["badge.json", "badge.svg", "history.jsonl", "junit.xml", "latest.json", "latest.md"].map((f) => `reports/${f}`)].sort(),
    );
    const second = runStep(script, { cwd: work, env });
    expect(second.status).toBe(0);
    expect(second.output).toContain("nothing to commit");
    expect(git(remote, "rev-list", "--count", "main")).toBe("2");
  });
});
