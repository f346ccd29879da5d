// The runtimes a claim can name, by name, one instance each for a whole run (so prepared
// models are shared). The adapters that need configuration read it from the environment:
//
//   REFUTE_HTTP_URL          base URL of an OpenAI-compatible server (http)
//   REFUTE_HTTP_SERVES       what the server holds, model:format:quant[,...]; every other
//                            subject is blocked (a server is never asked about a quant it lacks)
//   REFUTE_HTTP_MODEL        the `model` name to send (default: the subject's model)
//   REFUTE_HTTP_PROMPT       auto | ids | text (default auto)
//   REFUTE_CLI_CONFIG        a JSON file: command, the subjects it serves, argument templates
//                            and output mapping (cli)
//   REFUTE_THREADS           the engine's threads (default: all cores), and llama.cpp's unless
//   REFUTE_LLAMACPP_THREADS  sets llama.cpp's apart (default 1: two on a 2-core machine made
//                            timings erratic); settings.threads (refute gates --threads) sets
//                            both, over either variable
//
// Unconfigured, an adapter is blocked with the variable to set; llama.cpp is blocked when
// node-llama-cpp has no usable binary.

import { parseServedList } from "../core/served.ts";
import type { Capability } from "../core/vocabulary.ts";
import { threadsFrom, threadsOverride, wasmThreads } from "./backends.ts";
import { CliRuntime, loadCliConfig } from "./cli.ts";
import { EmbeddedRuntime } from "./embedded.ts";
import { HttpRuntime } from "./http.ts";
import { LlamacppRuntime } from "./llamacpp.ts";
import { BlockedError, type Generation, type Perplexity, type Runtime, type RuntimeName, type Scoring } from "./runtime.ts";

class UnavailableRuntime implements Runtime {
  // Declares what it stands in for, so each request reaches it and is blocked with the reason it cannot run.
  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "perplexity"]);
  constructor(
    readonly name: RuntimeName,
    private readonly reason: string,
  ) {}
  serves(): string | null {
    return null; // each request is refused with the reason instead
  }
  private blocked(): never {
    throw new BlockedError(this.reason);
  }
  async tokenize(): Promise<number[]> {
    return this.blocked();
  }
  async generate(): Promise<Generation> {
    return this.blocked();
  }
  async score(): Promise<Scoring> {
    return this.blocked();
  }
  async perplexity(): Promise<Perplexity> {
    return this.blocked();
  }
  async close(): Promise<void> {}
}

export type Environment = Record<string, string | undefined>;

export interface RuntimeSettings {
  env?: Environment; // the adapters' configuration and the default threads (default process.env)
  threads?: number; // the engine's and llama.cpp's threads, over the environment's
}

export function makeRuntime(name: RuntimeName, settings: RuntimeSettings = {}): Runtime {
  const env = settings.env ?? process.env;
  switch (name) {
    case "embedded":
      return new EmbeddedRuntime({ threads: settings.threads ?? wasmThreads(env) });
    case "llamacpp":
      return new LlamacppRuntime({ threads: settings.threads ?? threadsFrom(env.REFUTE_LLAMACPP_THREADS) ?? threadsOverride(env) ?? 1 });
    case "http": {
      const baseUrl = env.REFUTE_HTTP_URL;
      if (!baseUrl) return new UnavailableRuntime(name, "runtime http: set REFUTE_HTTP_URL to an OpenAI-compatible server (e.g. http://127.0.0.1:8080, or `refute serve`)");
      const promptAs = env.REFUTE_HTTP_PROMPT === "ids" || env.REFUTE_HTTP_PROMPT === "text" ? env.REFUTE_HTTP_PROMPT : "auto";
      try {
        const serves = parseServedList(env.REFUTE_HTTP_SERVES ?? "", "REFUTE_HTTP_SERVES");
        return new HttpRuntime({ baseUrl, model: env.REFUTE_HTTP_MODEL, promptAs, serves });
      } catch (e) {
        return new UnavailableRuntime(name, `runtime http: ${(e as Error).message}`);
      }
    }
    case "cli": {
      const file = env.REFUTE_CLI_CONFIG;
      if (!file) return new UnavailableRuntime(name, "runtime cli: set REFUTE_CLI_CONFIG to a JSON file with the command, its argument templates and output mapping");
      try {
        return new CliRuntime(loadCliConfig(file));
      } catch (e) {
        return new UnavailableRuntime(name, `runtime cli: ${(e as Error).message}`);
      }
    }
  }
}

/** One runtime instance per name for a whole run, so prepared models are shared. */
export function defaultRuntimeFactory(settings: RuntimeSettings = {}): (name: RuntimeName) => Runtime {
  const instances = new Map<RuntimeName, Runtime>();
  return (name) => {
    let runtime = instances.get(name);
    if (!runtime) {
      runtime = makeRuntime(name, settings);
      instances.set(name, runtime);
    }
    return runtime;
  };
}
