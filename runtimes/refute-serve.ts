// refute serve as a subject: for each subject the runner puts the embedded engine's prepared
// model (the claim's format and quant, its injected fault's engine hooks) behind refute serve's
// HTTP server (serve/server.ts, with the fault's serving hooks) on a loopback port, and asks it
// over HTTP as any OpenAI-compatible server is asked (runtimes/http.ts). So the serving suite
// runs on a server whose every answer is checked against the oracle, and the serving faults
// of the teeth catalogue have a server to live in. Servers stay up for the run; close() stops
// them.

import type { Server } from "node:http";
import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import { subjectKey } from "../core/subject.ts";
import type { Capability } from "../core/vocabulary.ts";
import { createServingServer, listen } from "../serve/server.ts";
import { EmbeddedRuntime, type EmbeddedOptions } from "./embedded.ts";
import { HttpRuntime } from "./http.ts";
import type { Generation, Perplexity, Runtime, ScoreOptions, Scoring, ServingEndpoint, SubjectSpec } from "./runtime.ts";

interface Running {
  server: Server;
  http: HttpRuntime;
}

/** How every refute serve subject runs, for the report. */
export const REFUTE_SERVE_SETTINGS = { slots: "unbounded (one session per request)", context: "the model's", cache_prompt: false, seed: "per request" } as const;

export class RefuteServeRuntime implements Runtime {
  readonly name = "refute-serve";
  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "chat-template", "perplexity", "serving"]);
  private readonly engine: EmbeddedRuntime;
  private readonly running = new Map<string, Promise<Running>>();

  constructor(options: EmbeddedOptions = {}) {
    this.engine = new EmbeddedRuntime(options);
  }

  /** Any subject the engine can prepare. */
  serves(): string | null {
    return null;
  }

  private server(spec: SubjectSpec): Promise<HttpRuntime> {
    const key = subjectKey(spec);
    let running = this.running.get(key);
    if (!running) {
      running = this.start(spec);
      this.running.set(key, running);
    }
    return running.then((r) => r.http);
  }

  private async start(spec: SubjectSpec): Promise<Running> {
    const model = await this.engine.model(spec);
    const server = createServingServer([{ name: spec.model, model, hooks: this.engine.hooksOf(spec).serve }]);
    const address = await listen(server, 0, "127.0.0.1");
    const served = [{ model: spec.model, format: spec.format, quant: spec.quant, name: spec.model }];
    const http = new HttpRuntime({ name: this.name, baseUrl: `http://127.0.0.1:${address.port}`, serves: served, servesSource: "the refute serve started for this subject" });
    return { server, http };
  }

  async applyChatTemplate(spec: SubjectSpec, messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string | null> {
    return (await this.server(spec)).applyChatTemplate(spec, messages, addGenerationPrompt);
  }

  async tokenize(spec: SubjectSpec, text: string): Promise<number[]> {
    return (await this.server(spec)).tokenize(spec, text);
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    return (await this.server(spec)).generate(spec, prompt, maxNewTokens);
  }

  async score(spec: SubjectSpec, prompt: string, tokens: number[], options?: ScoreOptions): Promise<Scoring> {
    return (await this.server(spec)).score(spec, prompt, tokens, options);
  }

  async perplexity(spec: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    return (await this.server(spec)).perplexity(spec, text, window, stride);
  }

  async serving<T>(spec: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>): Promise<T> {
    return (await this.server(spec)).serving(spec, use, { ...REFUTE_SERVE_SETTINGS });
  }

  async close(): Promise<void> {
    const running = await Promise.allSettled(this.running.values());
    this.running.clear();
    for (const r of running) {
      if (r.status !== "fulfilled") continue;
      await r.value.http.close();
      await new Promise<void>((resolve) => {
        r.value.server.close(() => resolve());
        r.value.server.closeAllConnections();
      });
    }
    await this.engine.close();
  }
}
