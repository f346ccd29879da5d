// D8 of issue 19: what an OpenAI-compatible server returns is checked before it is data. A
// generation with more tokens than asked for, negative or huge ids, a log p of +Inf (JSON's
// 1e999) or above 0, an echo that is not the tokens sent: each is a protocol error that blocks
// the check, never an observation. Credentials in the server's URL become its Authorization
// header and appear in no output: not stdout, stderr, latest.json, latest.md or junit.xml.

import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gatesCommand, loadDefaultFactory } from "../../cli/gates.ts";
import { HttpRuntime } from "../../runtimes/http.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { tempDir } from "../gates/helpers.ts";

const spec: SubjectSpec = { model: "tiny-llama", format: "native", quant: "f32", backend: "cpu", runtime: "http" };
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server answering every completion with `answer` (raw JSON text), recording the requests' headers. */
async function serving(answer: (request: { prompt: unknown; max_tokens: number }) => string, seen: IncomingMessage["headers"][] = []): Promise<string> {
  server = createServer((req, res) => {
    seen.push(req.headers);
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/v1/models") return void res.end(JSON.stringify({ data: [] }));
      if (req.url === "/tokenize") return void res.end(JSON.stringify({ tokens: [10, 11, 12] }));
      res.setHeader("content-type", "application/json");
      res.end(answer(JSON.parse(body || "{}")));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const content = (entries: string[]) => `{"choices":[{"text":"x","logprobs":{"content":[${entries.join(",")}]}}]}`;
const entry = (id: number | string, logprob: number | string = -0.5) => `{"id":${id},"token":"t","logprob":${logprob},"top_logprobs":[{"id":${id},"token":"t","logprob":${logprob}}]}`;
const first = (id: number) => `{"id":${id},"token":"t","logprob":null,"top_logprobs":[]}`; // an echo's first token predicts nothing

describe("D8: protocol errors, not data", () => {
  it.each([
    ["more tokens than max_tokens", () => content([entry(1), entry(2), entry(3), entry(4)]), /returned 4 tokens for max_tokens 2/],
    ["a negative id", () => content([entry(-1)]), /id -1 \(expected an integer/],
    ["an id past 2^22", () => content([entry(99999999)]), /id 99999999/],
    ["a log p of +Inf", () => content([entry(5, "1e999")]), /log p null|log p Infinity|finite/],
    ["a positive log p", () => content([entry(5, 5)]), /log p 5 \(expected a finite number <= 0\)/],
  ])("generate: %s blocks with a protocol error", async (_, answer, why) => {
    const http = new HttpRuntime({ baseUrl: await serving(answer), promptAs: "ids" });
    await expect(http.generate(spec, "Once upon a time", 2)).rejects.toMatchObject({ name: "BlockedError", message: expect.stringMatching(/^protocol error: /) });
    await expect(http.generate(spec, "Once upon a time", 2)).rejects.toThrow(why);
  });

  it("score: an echo that is not the tokens sent blocks with a protocol error", async () => {
    // echoes every id it was sent but the second-to-last, which comes back as 99
    const echo = ({ prompt }: { prompt: unknown }) => content((prompt as number[]).map((id, i, all) => (i === 0 ? first(id) : entry(i === all.length - 2 ? 99 : id))));
    const http = new HttpRuntime({ baseUrl: await serving(echo), promptAs: "ids" });
    await expect(http.score(spec, "Once upon a time", [41, 42])).rejects.toThrow(/protocol error: .*token \d+ came back as 99, not 41/);
  });
});

describe("D8: credentials in the URL", () => {
  it("are sent as Basic authorization and reach no output", async () => {
    const seen: IncomingMessage["headers"][] = [];
    const url = await serving(() => content([entry(1)]), seen);
    const withCredentials = url.replace("http://", "http://alice:s3cr3t-pw@");
    const reports = tempDir("refute-d8-");
    const out: string[] = [];
    const err: string[] = [];
    const previous = { ...process.env };
    Object.assign(process.env, { REFUTE_HTTP_URL: withCredentials, REFUTE_HTTP_SERVES: "tiny-llama:native:q8_0" });
    try {
      await gatesCommand(["--suite", "canary", "--runtime", "http", "--reports", reports], { out: (t) => out.push(t), err: (t) => err.push(t), factory: loadDefaultFactory });
    } finally {
      process.env = previous;
    }
    expect(seen.some((h) => h.authorization === `Basic ${Buffer.from("alice:s3cr3t-pw").toString("base64")}`)).toBe(true);
    const written = readdirSync(reports).map((f) => readFileSync(join(reports, f), "utf8"));
    for (const text of [...out, ...err, ...written]) expect(text).not.toContain("s3cr3t-pw");
    expect(written.join("\n")).toContain("http://***@127.0.0.1"); // the run's settings say a URL with credentials was set
  });
});
