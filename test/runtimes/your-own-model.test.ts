// The README's walkthrough, "Test your own model and runtime", as a test: a zoo model copied
// outside the zoo under another name, its oracle (the zoo model's records: the same weights,
// so the same expectations, computed by the PyTorch reference, not by the engine), a project
// config naming the model and two runtimes, and refute gates substituting the model into the
// committed claims. Through `refute serve` (in-process, both quants) as the http runtime and
// `refute run` / `refute ppl` as the cli runtime, everything is corroborated; a server that
// holds q8_0 only gets every q4_0 check blocked, naming both quants; a run whose server is down
// exits 2.

import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatesCommand, loadDefaultFactory } from "../../cli/gates.ts";
import { loadServedModel } from "../../serve/load.ts";
import { createServingServer, listen } from "../../serve/server.ts";
import type { Report } from "../../gates/report.ts";
import { EmbeddedRuntime } from "../../runtimes/embedded.ts";
import { tempDir } from "../gates/helpers.ts";

const REPO = process.cwd();
let dir: string;
const servers: Server[] = [];

/** The zoo's tiny-llama oracle records, renamed to `name`. */
function copyOracle(into: string, name: string): void {
  cpSync("oracle/prompts", join(into, "prompts"), { recursive: true });
  mkdirSync(join(into, name), { recursive: true });
  mkdirSync(join(into, "ppl"), { recursive: true });
  for (const prompt of ["arithmetic", "completion", "code", "greeting"]) {
    const record = JSON.parse(readFileSync(`oracle/tiny-llama/${prompt}.json`, "utf8"));
    writeFileSync(join(into, name, `${prompt}.json`), JSON.stringify({ ...record, model_slug: name }));
  }
  cpSync("oracle/ppl/heldout.txt", join(into, "ppl", "heldout.txt"));
  const ppl = JSON.parse(readFileSync("oracle/ppl/tiny-llama.json", "utf8"));
  writeFileSync(join(into, "ppl", `${name}.json`), JSON.stringify({ ...ppl, model_slug: name }));
}

async function serve(quants: ("q8_0" | "q4_0")[], name: (q: string) => string): Promise<string> {
  const model = join(dir, "my-llama");
  // on the engine's fast backend, as `refute serve` runs by default
  const kernels = await new EmbeddedRuntime().kernels({ model: "tiny-llama", format: "native", quant: "q8_0", backend: "cpu", runtime: "embedded" });
  const server = createServingServer(quants.map((q) => ({ name: name(q), ...loadServedModel(model, q, kernels) })));
  servers.push(server);
  return `http://127.0.0.1:${(await listen(server, 0, "127.0.0.1")).port}`;
}

const both = ["q8_0", "q4_0"].map((quant) => `      - { model: my-llama, format: native, quant: ${quant}, name: my-llama-${quant} }`).join("\n");
const cliServes = ["q8_0", "q4_0"].map((quant) => `      - { model: my-llama, format: native, quant: ${quant} }`).join("\n");

function writeConfig(urls: { both: string; q8: string; down: string }): string {
  const file = join(dir, "refute.config.yaml");
  writeFileSync(
    file,
    `oracle: ./oracle
models:
  my-llama: ./my-llama
runtimes:
  my-server:
    kind: http
    url: ${urls.both}
    serves:
${both}
  q8-server:
    kind: http
    url: ${urls.q8}
    serves:
${both}
  down-server:
    kind: http
    url: ${urls.down}
    serves:
${both}
  my-cli:
    kind: cli
    command: ${process.execPath}
    cwd: ${REPO}
    serves:
${cliServes}
    generate:
      args: [bin/refute.mjs, run, --model, "{model}", --quant, "{quant}", --prompt, "{prompt}", --max-new-tokens, "{max_new_tokens}", --top-k, "10", --json]
      output: { tokens: tokens, text: text, prompt_tokens: prompt_tokens, topk: topk }
    perplexity:
      args: [bin/refute.mjs, ppl, --model, "{model}", --quant, "{quant}", --text-file, "{text_file}", --window, "{window}", --stride, "{stride}", --json]
      output: { perplexity: perplexity, tokens_scored: tokens_scored }
`,
  );
  return file;
}

let config: string;

beforeAll(async () => {
  dir = tempDir("refute-own-model-");
  cpSync("models/zoo/tiny-llama", join(dir, "my-llama"), { recursive: true });
  copyOracle(join(dir, "oracle"), "my-llama");
  const closed = await serve(["q8_0"], () => "closed");
  const down = closed;
  await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
  config = writeConfig({ both: await serve(["q8_0", "q4_0"], (q) => `my-llama-${q}`), q8: await serve(["q8_0"], () => "my-llama-q8_0"), down });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function gates(args: string[]): Promise<{ code: number; report: Report; stdout: string[] }> {
  const stdout: string[] = [];
  const code = await gatesCommand(["--config", config, "--model", "my-llama", "--json", "--reports", join(dir, "reports"), ...args], { factory: loadDefaultFactory, out: (t) => stdout.push(t), err: () => {} });
  return { code, report: JSON.parse(stdout[0]) as Report, stdout };
}

const verdicts = (report: Report) => report.checks.map((c) => `${c.claim} ${c.subject.quant}${c.prompts.length === 1 ? ` ${c.prompts[0]}` : ""}: ${c.verdict}${c.reason ? ` (${c.reason})` : ""}`);

describe("your own model on your own runtime", () => {
  it("canary, token, drift and ppl through refute serve as the http runtime: all corroborated, on the model that was asked for", async () => {
    const { code, report } = await gates(["--runtime", "my-server", "--suite", "canary", "--suite", "token", "--suite", "drift", "--suite", "ppl"]);
    expect(verdicts(report).filter((v) => !v.endsWith("corroborated"))).toEqual([]);
    expect(report.summary.total).toBe(19);
    expect(code).toBe(0);
    expect(new Set(report.checks.map((c) => `${c.subject.model} ${c.subject.path} ${c.subject.runtime}`))).toEqual(new Set([`my-llama ${join(dir, "my-llama")} my-server`]));
    expect(report.run.config).toBe(config);
  });

  it("canary and ppl through refute run / refute ppl as the cli runtime: all corroborated", async () => {
    const { code, report } = await gates(["--runtime", "my-cli", "--suite", "canary", "--suite", "ppl"]);
    expect(verdicts(report).filter((v) => !v.endsWith("corroborated"))).toEqual([]);
    expect(report.summary.total).toBe(7);
    expect(code).toBe(0);
  });

  it("a server that holds q8_0 only: every q4_0 check is blocked naming both quants, and the q8_0 checks still run", async () => {
    const { report } = await gates(["--runtime", "q8-server", "--suite", "token", "--suite", "ppl"]);
    const q4 = report.checks.filter((c) => c.subject.quant === "q4_0");
    expect(q4.length).toBe(6);
    for (const c of q4) {
      expect(c.verdict).toBe("blocked");
      expect(c.reason).toMatch(/q8_0/);
      expect(c.reason).toMatch(/q4_0/);
    }
    expect(report.checks.filter((c) => c.subject.quant === "q8_0" && c.claim !== "ppl-int4-int8-difference").every((c) => c.verdict === "corroborated")).toBe(true);
  });

  it("a run whose server is down blocks everything and exits 2 with the reason once", async () => {
    const stdout: string[] = [];
    const code = await gatesCommand(["--config", config, "--model", "my-llama", "--runtime", "down-server", "--suite", "canary", "--reports", join(dir, "reports")], { factory: loadDefaultFactory, out: (t) => stdout.push(t), err: () => {} });
    expect(code).toBe(2);
    expect(stdout.join("\n")).toMatch(/every check is blocked; nothing ran:\n {2}4 x down-server: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/models \(ECONNREFUSED\)/);
  });
});
