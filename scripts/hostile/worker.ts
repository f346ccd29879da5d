// One worker of the hostile campaign (scripts/hostile/campaign.ts starts them): reads lines
// "<kind> <index>" on stdin, builds that case, puts it through everything refute does with such
// an input, and writes one JSON line per case on stdout:
//
//   model files     validate (open and the contract gate) and a 2-token run of a 1-token
//                   prompt, which must agree
//   claim YAML      parse and validate the claim file, expand what it holds
//   HTTP response   a generation and a forced scoring through the http runtime
//
// outcome: "refused" (a coded error: RefuteError, a blocked check, the server's own error),
// "accepted" (it ran: harmless), "disagree" (validate and run differ), "crash" (any other
// exception). Its process's peak RSS goes with every line; time and hangs are the parent's.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { isRefuteError } from "../../core/errors.ts";
import { contractFindings } from "../../engine/contract-gate.ts";
import { EngineModel } from "../../engine/model.ts";
import { openSource } from "../../engine/open.ts";
import { parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { HttpRuntime, HttpStatusError } from "../../runtimes/http.ts";
import { BlockedError } from "../../runtimes/runtime.ts";
import { buildCase, type CaseInput, type Kind } from "./mutants.ts";

type Outcome = { outcome: "refused" | "accepted" | "disagree" | "crash"; codes: string[]; detail?: string };

/** A coded refusal's code, or null for an exception that is a crash. */
function codeOf(e: unknown): string | null {
  if (isRefuteError(e)) return e.code;
  if (e instanceof BlockedError) return `blocked: ${e.message.slice(0, 60)}`;
  if (e instanceof HttpStatusError) return `http ${e.status}`;
  return null;
}

function attempt(action: () => void): string | null | { crash: string } {
  try {
    action();
    return null;
  } catch (e) {
    return codeOf(e) ?? { crash: `${(e as Error).name}: ${(e as Error).message.slice(0, 200)}` };
  }
}

function modelCase(input: Extract<CaseInput, { type: "model" }>): Outcome {
  const dir = mkdtempSync(join(tmpdir(), "refute-hostile-"));
  try {
    for (const [name, content] of Object.entries(input.files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    const path = join(dir, input.open);
    let findings: string[] = [];
    const validated = attempt(() => {
      findings = contractFindings(openSource(path))
        .filter((f) => f.severity === "error")
        .map((f) => f.code);
    });
    // One prompt token and two generated: any model the contract accepts has room for them.
    const ran = attempt(() => void new EngineModel(openSource(path)).generate("h", 2, 0));
    for (const r of [validated, ran]) if (r && typeof r === "object") return { outcome: "crash", codes: [], detail: r.crash };
    const validateRefused = validated !== null || findings.length > 0;
    const codes = [...(typeof validated === "string" ? [validated] : findings), ...(typeof ran === "string" ? [ran] : [])];
    if (validateRefused !== (ran !== null)) return { outcome: "disagree", codes, detail: `validate ${validateRefused ? "refused" : "accepted"}, run ${ran === null ? "accepted" : "refused"}` };
    return { outcome: ran === null ? "accepted" : "refused", codes: [...new Set(codes)] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function yamlCase(input: Extract<CaseInput, { type: "yaml" }>): Outcome {
  let problems: string[] = [];
  const r = attempt(() => {
    const parsed = parseClaimFile("claims/canary.yaml", input.text);
    problems = parsed.problems.map((p) => p.field);
    expandClaims(parsed.claims);
  });
  if (r && typeof r === "object") return { outcome: "crash", codes: [], detail: r.crash };
  if (typeof r === "string") return { outcome: "refused", codes: [r] };
  return problems.length > 0 ? { outcome: "refused", codes: [`E_CLAIMS ${problems[0]}`] } : { outcome: "accepted", codes: [] };
}

let answer: { status: number; body: string } = { status: 200, body: "{}" };
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url === "/tokenize") return void res.end('{"tokens":[1,2,3]}');
    if (req.url === "/v1/models") return void res.end('{"data":[]}');
    res.statusCode = answer.status;
    res.setHeader("content-type", "application/json");
    res.end(answer.body);
  });
});
const listening = new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

async function httpCase(input: Extract<CaseInput, { type: "http" }>): Promise<Outcome> {
  answer = input;
  const http = new HttpRuntime({ baseUrl: await listening, timeoutMs: 5000 });
  const spec = { model: "micro", format: "native", quant: "f32", backend: "cpu", runtime: "http" } as const;
  const codes: string[] = [];
  for (const call of [() => http.generate(spec, "hi", 4), () => http.score(spec, "hi", [10, 11])]) {
    try {
      await call();
    } catch (e) {
      const code = codeOf(e);
      if (code === null) return { outcome: "crash", codes, detail: `${(e as Error).name}: ${(e as Error).message.slice(0, 200)}` };
      codes.push(code);
    }
  }
  return { outcome: codes.length > 0 ? "refused" : "accepted", codes };
}

async function evaluate(kind: Kind, index: number): Promise<Outcome> {
  const c = buildCase(kind, index);
  if (c.input.type === "model") return modelCase(c.input);
  if (c.input.type === "yaml") return yamlCase(c.input);
  return httpCase(c.input);
}

for await (const line of createInterface({ input: process.stdin })) {
  const [kind, index] = line.trim().split(" ");
  if (!kind) continue;
  const started = performance.now();
  const result = await evaluate(kind as Kind, Number(index)).catch((e) => ({ outcome: "crash" as const, codes: [], detail: `${(e as Error).name}: ${(e as Error).message.slice(0, 200)}` }));
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`${JSON.stringify({ kind, index: Number(index), ...result, ms, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}
server.close();
