// llama.cpp's own server as a subject: for each subject the runner starts the llama-server
// that `refute setup llama.cpp` built (core/llama-tools.ts) on a loopback port, with the
// subject's GGUF (a .gguf as it is, or the engine's export at the claim's quant), waits for
// /health, and asks it through the OpenAI-compatible API as the http runtime does (the
// server tokenizes the prompts). One server at a time: a subject on another file stops the
// previous one, and close() stops the last. Every server starts with SERVER_SETTINGS and
// otherwise llama-server's own defaults (flash attention auto, an f16 KV cache, weights
// repacked for the CPU's extensions), which is what its users run; further arguments come
// from the config's `args` or REFUTE_LLAMA_SERVER_ARGS (recorded in the report's settings).
// Where the tools are not built, every check is blocked with the command that builds them.

import { type ChildProcess, spawn } from "node:child_process";
import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import { createServer } from "node:net";
import pLimit from "p-limit";
import { RefuteError } from "../core/errors.ts";
import { builtTool, type LlamaToolsPlace } from "../core/llama-tools.ts";
import type { Capability } from "../core/vocabulary.ts";
import { HttpRuntime } from "./http.ts";
import { llamaCppGgufFor, ggufRefusal } from "./model-file.ts";
import { BlockedError, type ServingEndpoint, type Generation, type Perplexity, type Runtime, type ScoreOptions, type Scoring, type SubjectSpec } from "./runtime.ts";

export interface LlamaServerOptions {
  place: LlamaToolsPlace; // where the built tools are
  threads: number;
  /** Further llama-server arguments, after refute's own (-fa off -ctk f32 -ctv f32 for float32 attention, --no-repack, ...). */
  extraArgs?: string[];
  /** How long a server may take to load its model and answer /health. */
  startTimeoutMs?: number;
}

/** What every server is started with: one slot, the model's own context (0), greedy's seed; and the prompt cache on (llama-server's default, said explicitly). */
export const SERVER_SETTINGS = { slots: 1, context: 0, seed: 0 } as const;

const START_TIMEOUT_MS = 60_000;

/** A free loopback port, from the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

interface Running {
  gguf: string;
  child: ChildProcess;
  http: HttpRuntime;
  log: string[]; // the server's last lines, for a failure's reason
}

export class LlamaServerRuntime implements Runtime {
  readonly name = "llama-server";
  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "chat-template", "perplexity", "serving"]);
  private running: Running | null = null;
  private readonly one = pLimit(1);

  constructor(private readonly options: LlamaServerOptions) {}

  /** Any GGUF: a .gguf path as it is, or the claim's model exported at the claim's quant. */
  serves(spec: SubjectSpec): string | null {
    const refusal = ggufRefusal(spec);
    return refusal === null ? null : `runtime llama-server: ${refusal}`;
  }

  /** The arguments a server for this file starts with. */
  static argumentsFor(gguf: string, port: number, threads: number, extra: readonly string[] = []): string[] {
    const s = SERVER_SETTINGS;
    return ["-m", gguf, "--host", "127.0.0.1", "--port", String(port), "-c", String(s.context), "-np", String(s.slots), "-t", String(threads), "--seed", String(s.seed), "--no-webui", "--cache-prompt", ...extra];
  }

  private async server(spec: SubjectSpec): Promise<HttpRuntime> {
    if (spec.inject) throw new BlockedError(`fault ${spec.inject}: faults are injected into the embedded engine only`);
    const tool = builtTool(this.options.place, "llama-server");
    if ("blocked" in tool) throw new BlockedError(tool.blocked);
    const gguf = llamaCppGgufFor(spec);
    if (this.running?.gguf === gguf) return this.running.http;
    await this.stop();
    this.running = await this.start(tool.path, gguf, spec);
    return this.running.http;
  }

  private async start(program: string, gguf: string, spec: SubjectSpec): Promise<Running> {
    const port = await freePort();
    const child = spawn(program, LlamaServerRuntime.argumentsFor(gguf, port, this.options.threads, this.options.extraArgs), { stdio: ["ignore", "pipe", "pipe"] });
    const log: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) log.push(line);
      if (log.length > 30) log.splice(0, log.length - 30);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const base = `http://127.0.0.1:${port}`;
    const exited = new Promise<never>((_, reject) => {
      // the subject itself failed on a model it was given: an error of the subject, not "not here"
      child.once("exit", (code, signal) =>
        reject(new RefuteError("LLAMA_SERVER_CRASHED", `llama-server exited (${signal ?? `code ${code}`}) before answering /health for ${gguf}; its last line: ${log.at(-1) ?? "(none)"}`, { file: gguf, found: signal ?? code })),
      );
      child.once("error", (e) => reject(new BlockedError(`llama-server could not start: ${e.message}`)));
    });
    await Promise.race([waitHealthy(base, this.options.startTimeoutMs ?? START_TIMEOUT_MS), exited]).catch((e) => {
      child.kill("SIGKILL");
      throw e;
    });
    const http = new HttpRuntime({ name: this.name, baseUrl: base, serves: [{ model: spec.model, format: spec.format, quant: spec.quant, name: gguf }], servesSource: `the llama-server started for ${gguf}` });
    return { gguf, child, http, log };
  }

  /**
   * Each request goes to the subject's own server; a subject of another file is another
   * server. One request at a time (checks run concurrently must not stop a server another
   * request is still talking to).
   */
  tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    return this.one(async () => (await this.server(spec)).tokenize(spec, text));
  }

  generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    return this.one(async () => (await this.server(spec)).generate(spec, prompt, maxNewTokens));
  }

  score(spec: SubjectSpec, prompt: string, tokens: number[], options?: ScoreOptions): Promise<Scoring> {
    return this.one(async () => (await this.server(spec)).score(spec, prompt, tokens, options));
  }

  perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    return this.one(async () => (await this.server(spec)).perplexity(spec, text, window, stride));
  }

  applyChatTemplate(spec: SubjectSpec, messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string | null> {
    return this.one(async () => (await this.server(spec)).applyChatTemplate(spec, messages, addGenerationPrompt));
  }

  /** The subject's server for a serving claim, kept running (and not stopped by another check) until `use` is done. */
  serving<T>(spec: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>): Promise<T> {
    const s = SERVER_SETTINGS;
    const settings = { slots: s.slots, context: s.context, seed: s.seed, cache_prompt: true, threads: this.options.threads, args: (this.options.extraArgs ?? []).join(" ") };
    return this.one(async () => (await this.server(spec)).serving(spec, use, settings));
  }

  private async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (!running) return;
    await running.http.close();
    if (running.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => running.child.once("exit", () => resolve()));
    running.child.kill("SIGTERM");
    const timer = setTimeout(() => running.child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }

  close(): Promise<void> {
    return this.one(() => this.stop());
  }
}

/** Polls /health until it answers 200 (llama-server answers 503 while it loads the model). */
async function waitHealthy(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new BlockedError(`llama-server at ${base} did not answer /health within ${timeoutMs} ms`);
}
