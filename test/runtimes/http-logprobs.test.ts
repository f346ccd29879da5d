// The logprob claims over HTTP, on the top_logprobs a server returns: refute serve holding
// tiny-llama in F32, forced decoding through echo with logprobs 10, every step's oracle top-10
// within the F32 tolerance; the same server holding q4_0 under the same claim is falsified.
// The quantized KL claims over HTTP sum over the oracle's top-10 and the rest (a lower bound
// of the vocabulary KL the embedded engine gives, since merging bins never raises KL), and are
// blocked, with the reason, when they ask for the whole vocabulary.

import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServedModel } from "../../serve/load.ts";
import { createServingServer, listen } from "../../serve/server.ts";
import { parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { HttpRuntime } from "../../runtimes/http.ts";
import { defaultRuntimeFactory } from "../../runtimes/index.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServingServer(["f32", "q4_0"].map((quant) => ({ name: `tiny-llama-${quant}`, ...loadServedModel("tiny-llama", quant) })));
  base = `http://127.0.0.1:${(await listen(server, 0, "127.0.0.1")).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const CLAIM = `# yaml-language-server: $schema=./schema.json
claims:
  - id: http-logprob-top10
    suite: served
    statement: Over HTTP, the oracle's top-10 log-probabilities of every forced step are within 1e-4 nats.
    rationale: The F32 tolerance of the logprob suite, on what a server can report.
    measure: logprob-delta
    params: { tokens: top-k, k: 10, decoding: forced }
    subject: { model: tiny-llama, format: native, quant: [f32, q4_0], runtime: http }
    prompts: { all: [completion, code] }
    prediction: { comparator: le, threshold: 0.0001 }
    severity: low
    references: []
    catches: []
`;

const klClaim = (bins: string, runtime: string) => `# yaml-language-server: $schema=./schema.json
claims:
  - id: http-kl-p99-${bins}
    suite: served
    statement: Over HTTP, the 99th percentile of the Q4_0 model's per-step KL from the oracle is at most 0.94 nats.
    rationale: The logprob suite's Q4_0 ceiling (ADR-007), on what a server can report.
    measure: kl-divergence
    params: { statistic: p99, bins: ${bins} }
    subject: { model: tiny-llama, format: native, quant: q4_0, runtime: ${runtime} }
    prompts: { all: [arithmetic, completion, code, greeting] }
    prediction: { comparator: le, threshold: 0.94 }
    severity: low
    references: []
    catches: []
`;

describe("logprob claims over HTTP", () => {
  it("hold on the F32 model behind the server and refute its q4_0", async () => {
    const { claims } = parseClaimFile("claims/served.yaml", CLAIM);
    const http = new HttpRuntime({
      baseUrl: base,
      serves: (["f32", "q4_0"] as const).map((quant) => ({ model: "tiny-llama", format: "native" as const, quant, name: `tiny-llama-${quant}` })),
    });
    const { results } = await runChecks(expandClaims(claims), { factory: () => http });
    expect(results.map((r) => `${r.subject.quant} ${r.verdict}`)).toEqual(["f32 corroborated", "q4_0 falsified"]);
    expect(results[0].observed?.value).toBeLessThan(1e-4);
    expect(results[0].observed?.summary).toMatch(/over 640 log p of the oracle's top-10/);
  });

  it("quantized KL: over the oracle's top-10 a lower bound of the engine's vocabulary KL; over the vocabulary blocked", async () => {
    const http = new HttpRuntime({ baseUrl: base, serves: [{ model: "tiny-llama", format: "native", quant: "q4_0", name: "tiny-llama-q4_0" }] });
    const run = async (bins: string, runtime: string, factory: Parameters<typeof runChecks>[1]["factory"]) =>
      (await runChecks(expandClaims(parseClaimFile("claims/served.yaml", klClaim(bins, runtime)).claims), { factory })).results[0];
    const served = await run("top-10", "http", () => http);
    const embedded = await run("vocabulary", "embedded", defaultRuntimeFactory());
    expect([served.verdict, embedded.verdict]).toEqual(["corroborated", "corroborated"]);
    expect(served.observed!.value as number).toBeGreaterThan(0);
    expect(served.observed!.value as number).toBeLessThanOrEqual((embedded.observed!.value as number) * (1 + 1e-4));
    const blocked = await run("vocabulary", "http", () => http);
    expect(blocked.verdict).toBe("blocked");
    expect(blocked.reason).toMatch(/cannot say the log p of \d+ of the 1024 tokens KL sums over/);
  });
});
