// Honest subjects: a runtime that fronts one fixed model (a server, a command) provides only
// the subjects it declares. Through the runner, against a real `refute serve` holding
// tiny-llama at q8_0: the q8_0 checks run and are corroborated by the oracle; every q4_0 check
// is blocked, naming what was asked and what is served, and never reaches the server. Where
// the server identifies its model (refute serve's /v1/models), a wrong declaration is caught too.

import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServedModel } from "../../serve/load.ts";
import { createServingServer, listen } from "../../serve/server.ts";
import { refusalOf } from "../../core/subject.ts";
import { parseServedList } from "../../core/served.ts";
import { parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { parseCliConfig } from "../../runtimes/cli.ts";
import { HttpRuntime } from "../../runtimes/http.ts";
import { makeRuntime } from "../../runtimes/index.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";

let server: Server;
let base: string;
let requests = 0;

beforeAll(async () => {
  const { model, identity } = loadServedModel("tiny-llama", "q8_0");
  server = createServingServer([{ name: "tiny-llama", model, identity }]);
  server.on("request", () => requests++);
  base = `http://127.0.0.1:${(await listen(server, 0, "127.0.0.1")).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const CLAIMS = `# yaml-language-server: $schema=./schema.json
claims:
  - id: served-exact-text
    suite: served
    statement: Greedy text over HTTP equals the oracle's, at q8_0 and at q4_0.
    rationale: The server holds q8_0 only; a q4_0 check must not be answered by it.
    measure: exact-text
    subject: { model: tiny-llama, format: native, quant: [q8_0, q4_0], runtime: http }
    prompts: { each: [completion] }
    prediction: { comparator: eq, threshold: { of: oracle } }
    severity: low
    references: []
    catches: []
  - id: served-ppl-difference
    suite: served
    statement: Perplexity at q4_0 is within 0.5 of q8_0's over HTTP.
    rationale: Its second subject is one the server does not hold.
    measure: ppl-difference
    subject: { model: tiny-llama, format: native, quant: q8_0, runtime: http }
    against: { quant: q4_0 }
    prediction: { comparator: lt, threshold: 0.5 }
    severity: low
    references: []
    catches: []
`;

describe("served subjects", () => {
  it("a server holding q8_0 answers the q8_0 check and the q4_0 checks are blocked, naming both quants", async () => {
    const { claims, problems } = parseClaimFile("claims/served.yaml", CLAIMS);
    expect(problems).toEqual([]);
    const served = parseServedList("tiny-llama:native:q8_0", "REFUTE_HTTP_SERVES");
    const factory = () => new HttpRuntime({ baseUrl: base, promptAs: "text", serves: served });
    const { results } = await runChecks(expandClaims(claims), { factory });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId["served-exact-text/tiny-llama/native/q8_0/cpu/http/completion"].verdict).toBe("corroborated");
    const before = requests;
    for (const id of ["served-exact-text/tiny-llama/native/q4_0/cpu/http/completion", "served-ppl-difference/tiny-llama/native/q8_0/cpu/http"]) {
      expect(byId[id].verdict, id).toBe("blocked");
      expect(byId[id].reason).toBe(`runtime http (${base}) serves tiny-llama native q8_0 (REFUTE_HTTP_SERVES); the check asks for tiny-llama native q4_0`);
    }
    expect(requests - before, "a blocked check sends nothing").toBe(0);
  });

  it("a declaration the server's identity contradicts is caught before the first request: another quant, another model", async () => {
    const spec: SubjectSpec = { model: "tiny-llama", format: "native", quant: "q4_0", backend: "cpu", runtime: "http" };
    const lying = new HttpRuntime({ baseUrl: base, promptAs: "text", serves: parseServedList("tiny-llama:native:q4_0,tiny-qwen2:native:q8_0", "X") });
    const before = requests;
    await expect(lying.generate(spec, "Hello", 4)).rejects.toThrow(`http: ${base}/v1/models says the server holds native q8_0; the check asks for tiny-llama native q4_0`);
    await expect(lying.generate({ ...spec, model: "tiny-qwen2", quant: "q8_0" }, "Hello", 4)).rejects.toThrow(/says the server's model files have sha256 [0-9a-f]{64}; tiny-qwen2's are [0-9a-f]{64}(, [0-9a-f]{64})*: another model is behind the URL/);
    expect(requests - before, "only /v1/models was asked").toBe(1);
    const honest = new HttpRuntime({ baseUrl: base, promptAs: "text", serves: parseServedList("tiny-llama:native:q8_0", "X") });
    expect((await honest.generate({ ...spec, quant: "q8_0" }, "Hello", 4)).tokens).toHaveLength(4);
  });

  it("an http runtime with nothing declared refuses every subject, saying what to declare", () => {
    const spec: SubjectSpec = { model: "tiny-llama", format: "native", quant: "q8_0", backend: "cpu", runtime: "http" };
    expect(makeRuntime("http", { env: { REFUTE_HTTP_URL: base } }).serves(spec)).toMatch(/declares no served subject \(REFUTE_HTTP_SERVES\); the check asks for tiny-llama native q8_0/);
    expect(makeRuntime("http", { env: { REFUTE_HTTP_URL: base, REFUTE_HTTP_SERVES: "tiny-llama:native:q8_0" } }).serves(spec)).toBeNull();
    expect(makeRuntime("embedded").serves({ ...spec, quant: "q4_0" })).toBeNull();
    expect(makeRuntime("llamacpp").serves({ ...spec, runtime: "llamacpp" })).toMatch(/reads GGUF files only/);
  });

  it("served lists are parsed with errors that name the entry; a model name may hold colons", () => {
    expect(parseServedList("synthetic:smollm-135m-shape:gguf:q8_0, tiny-qwen2:native:f32", "X")).toEqual([
      { model: "synthetic:smollm-135m-shape", format: "gguf", quant: "q8_0" },
      { model: "tiny-qwen2", format: "native", quant: "f32" },
    ]);
    expect(() => parseServedList("tiny-llama:native", "REFUTE_HTTP_SERVES")).toThrow("REFUTE_HTTP_SERVES: 'tiny-llama:native': expected model:format:quant");
    expect(() => parseServedList("tiny-llama:native:int8", "REFUTE_HTTP_SERVES")).toThrow(/quant: expected one of f32, bf16, f16, q8_0, q4_0, q4_k; found "int8"/);
    expect(refusalOf("x", [{ model: "a", format: "gguf", quant: "q8_0" }], "here", { model: "a", format: "native", quant: "q8_0", backend: "cpu", runtime: "cli" })).toBe(
      "runtime x serves a gguf q8_0 (here); the check asks for a native q8_0",
    );
  });

  it("a CLI config must say which subjects its command runs", () => {
    const generate = { args: ["run"], output: { tokens: "t" } };
    expect(() => parseCliConfig({ command: "x", generate }, "my.json")).toThrow(/my.json: field 'serves': expected a list of the subjects the command runs/);
    expect(() => parseCliConfig({ command: "x", generate, serves: [{ model: "m", format: "gguf", quant: "q5_1" }] }, "my.json")).toThrow(/my.json: field 'serves.0': quant/);
    expect(parseCliConfig({ command: "x", generate, serves: [{ model: "m", format: "gguf", quant: "q8_0" }] }).serves).toEqual([{ model: "m", format: "gguf", quant: "q8_0" }]);
  });
});
