// The logprob claims over HTTP, on the top_logprobs a server returns: refute serve holding
// tiny-llama in F32, forced decoding through echo with logprobs 10, every step's oracle top-10
// within the F32 tolerance; the same server holding q4_0 under the same claim is falsified.

import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompletionServer, listen, loadServedModel } from "../../cli/serve.ts";
import { parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { HttpRuntime } from "../../runtimes/http.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  server = createCompletionServer(["f32", "q4_0"].map((quant) => ({ name: `tiny-llama-${quant}`, ...loadServedModel("tiny-llama", quant) })));
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
});
