// The llama-server runtime's life cycle, with stand-ins for the built binary: blocked with the
// setup command where the tools are not built; a server that dies before /health is the
// subject's error (LLAMA_SERVER_CRASHED), not "not here"; a server that answers is started
// once per GGUF with refute's settings and the configured extra arguments, asked through the
// OpenAI-compatible API, and stopped by close(). The real llama-server runs in the gates
// (`--runtime llama-server`, after `refute setup llama.cpp`).

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRefuteError } from "../../core/errors.ts";
import { LLAMA_TOOLS, toolsPlace } from "../../core/llama-tools.ts";
import { LlamaServerRuntime } from "../../runtimes/llama-server.ts";
import { BlockedError, type SubjectSpec } from "../../runtimes/runtime.ts";

const root = mkdtempSync(join(tmpdir(), "refute-llama-server-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SPEC: SubjectSpec = { model: "tiny-llama", format: "gguf", quant: "f32", backend: "cpu", runtime: "llama-server" };

/** A place whose llama-server is `script` (the other tools empty files), marked complete. */
function placeWith(name: string, script: string) {
  const place = toolsPlace(name.padEnd(40, "0"), root);
  mkdirSync(place.bin, { recursive: true });
  for (const tool of LLAMA_TOOLS) writeFileSync(join(place.bin, tool), "");
  writeFileSync(join(place.bin, "llama-server"), script);
  chmodSync(join(place.bin, "llama-server"), 0o755);
  writeFileSync(join(place.dir, ".complete"), "{}\n");
  return place;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return null;
}

describe("llama-server runtime", () => {
  it("is blocked, naming the setup command, where the tools are not built", async () => {
    const runtime = new LlamaServerRuntime({ place: toolsPlace("a".repeat(40), root), threads: 1 });
    const e = await failure(runtime.tokenize(SPEC, "hi"));
    expect(e).toBeInstanceOf(BlockedError);
    expect((e as BlockedError).reason).toMatch(/llama-server is not built .*pnpm refute setup llama\.cpp/);
  });

  it("reports a server that dies before /health as the subject's error, with the signal", async () => {
    const runtime = new LlamaServerRuntime({ place: placeWith("b", "#!/bin/sh\necho loading model\nkill -SEGV $$\n"), threads: 1 });
    const e = await failure(runtime.tokenize(SPEC, "hi"));
    expect(isRefuteError(e) && e.code).toBe("LLAMA_SERVER_CRASHED");
    expect((e as Error).message).toMatch(/exited \(SIGSEGV\) before answering \/health .*loading model/);
    await runtime.close();
  });

  it("starts one server per GGUF with refute's settings and the extra arguments, asks it, and stops it", async () => {
    const argsFile = join(root, "args.json");
    // a stand-in server: records its arguments, answers /health (503 first, as while loading) and /tokenize
    const script = `#!/usr/bin/env node
const http = require("node:http");
const args = process.argv.slice(2);
require("node:fs").appendFileSync(${JSON.stringify(argsFile)}, JSON.stringify(args) + "\\n");
let healthAsked = 0;
http.createServer((req, res) => {
  if (req.url === "/health") { res.writeHead(++healthAsked < 2 ? 503 : 200); return res.end("{}"); }
  if (req.url === "/tokenize") { res.writeHead(200, { "content-type": "application/json" }); return res.end(JSON.stringify({ tokens: [7, 8, 9] })); }
  res.writeHead(404); res.end();
}).listen(Number(args[args.indexOf("--port") + 1]), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;
    const runtime = new LlamaServerRuntime({ place: placeWith("c", script), threads: 2, extraArgs: ["-fa", "off"] });
    expect(await runtime.tokenize(SPEC, "hi")).toEqual([7, 8, 9]);
    expect(await runtime.tokenize(SPEC, "again")).toEqual([7, 8, 9]);
    await runtime.close();
    const started = readFileSync(argsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
    expect(started).toHaveLength(1);
    const args = started[0];
    expect(args[args.indexOf("-m") + 1]).toMatch(/tiny-llama-f32-[0-9a-f]+\.gguf$/);
    expect(args.join(" ")).toMatch(/--host 127\.0\.0\.1 --port \d+ -c 0 -np 1 -t 2 --seed 0 --no-webui --cache-prompt -fa off$/);
  });

  it("refuses a subject that is not a GGUF it can be given", () => {
    const runtime = new LlamaServerRuntime({ place: toolsPlace("d".repeat(40), root), threads: 1 });
    expect(runtime.serves({ ...SPEC, format: "gguf", quant: "q4_k_m" as SubjectSpec["quant"] })).toMatch(/runtime llama-server: /);
    expect(runtime.serves(SPEC)).toBeNull();
  });
});
