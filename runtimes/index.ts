// The runtimes a claim can name, by name, one instance each for a whole run (so prepared
// models are shared). A name is a kind (embedded, llamacpp, http, cli: that kind's default
// runtime; refute-serve: the engine behind refute serve's HTTP API) or a runtime of the project config (refute.config.yaml `runtimes:`). The http and
// cli defaults are configured by the config's entries of those names, and the environment
// overrides them:
//
//   REFUTE_HTTP_URL          base URL of an OpenAI-compatible server (http)
//   REFUTE_HTTP_SERVES       what the server holds, model:format:quant[,...]; every other
//                            subject is blocked (a server is never asked about a quant it lacks)
//   REFUTE_HTTP_MODEL        the `model` name to send (default: the subject's model)
//   REFUTE_HTTP_PROMPT       text (default: the server tokenizes) | ids (the local tokenizer's)
//   REFUTE_LLAMA_SERVER_ARGS further llama-server arguments, space-separated (llama-server)
//   REFUTE_CLI_CONFIG        a JSON file: command, the subjects it serves, argument templates
//                            and output mapping (cli)
//   REFUTE_THREADS           the engine's threads (default: all cores), and llama.cpp's unless
//   REFUTE_LLAMACPP_THREADS  sets llama.cpp's apart (default 1: two on a 2-core machine made
//                            timings erratic); settings.threads (refute gates --threads) sets
//                            both, over either variable
//
// Unconfigured, an adapter is blocked with what to set; llama.cpp is blocked when
// node-llama-cpp has no usable binary.

import { existsSync } from "node:fs";
import { toolsPlace } from "../core/llama-tools.ts";
import { BUNDLE, bundleHead } from "../core/llama-vocabularies.ts";
import { EMPTY_CONFIG, runtimeKind, runtimeNames, type ConfiguredRuntime, type ProjectConfig } from "../core/config.ts";
import { isRefuteError } from "../core/errors.ts";
import { parseServedList } from "../core/served.ts";
import type { Capability } from "../core/vocabulary.ts";
import { threadsFrom, threadsOverride, wasmThreads } from "./backends.ts";
import type { HookReads } from "../core/hook-reads.ts";
import { RecordedReferenceRuntime } from "./reference.ts";
import { CliRuntime, loadCliConfig, parseCliConfig } from "./cli.ts";
import { EmbeddedRuntime } from "./embedded.ts";
import { HttpRuntime } from "./http.ts";
import { LlamacppRuntime } from "./llamacpp.ts";
import { LlamaServerRuntime } from "./llama-server.ts";
import { RefuteServeRuntime } from "./refute-serve.ts";
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
  threads?: number; // the engine's and llama.cpp's threads, over the environment's and the config's
  skipContract?: boolean; // the embedded engine loads models that break their contract (--skip-contract)
  config?: ProjectConfig; // the runtimes it names (default none)
  hookReads?: HookReads; // the teeth run's clean pass: the engine's hook reads, recorded
}

export function makeRuntime(name: RuntimeName, settings: RuntimeSettings = {}): Runtime {
  const env = settings.env ?? process.env;
  const config = settings.config ?? EMPTY_CONFIG;
  const configured = config.runtimes[name];
  const kind = runtimeKind(name, config);
  const where = `${config.file ?? "refute.config.yaml"}: runtimes.${name}`;
  switch (kind) {
    case null:
      return new UnavailableRuntime(name, `no runtime named '${name}': known are ${runtimeNames(config).join(", ")} (kinds, and the runtimes of ${config.file ?? "a refute.config.yaml"})`);
    case "embedded":
      return new EmbeddedRuntime({ threads: settings.threads ?? (configured?.kind === "embedded" ? configured.threads : undefined) ?? wasmThreads(env), skipContract: settings.skipContract, hookReads: settings.hookReads });
    case "llamacpp":
      return new LlamacppRuntime({
        threads: settings.threads ?? (configured?.kind === "llamacpp" ? configured.threads : undefined) ?? threadsFrom(env.REFUTE_LLAMACPP_THREADS) ?? threadsOverride(env) ?? 1,
      });
    case "llama-server":
      return guarded(name, () =>
        llamaServerRuntime(
          settings.threads ?? (configured?.kind === "llama-server" ? configured.threads : undefined) ?? threadsFrom(env.REFUTE_LLAMACPP_THREADS) ?? threadsOverride(env) ?? 1,
          env.REFUTE_LLAMA_SERVER_ARGS !== undefined ? env.REFUTE_LLAMA_SERVER_ARGS.split(/\s+/).filter(Boolean) : configured?.kind === "llama-server" ? configured.args : undefined,
        ),
      );
    case "refute-serve":
      return new RefuteServeRuntime({ threads: settings.threads ?? wasmThreads(env), skipContract: settings.skipContract, hookReads: settings.hookReads });
    case "http":
      return guarded(name, () => httpRuntime(name, configured?.kind === "http" ? configured : undefined, name === "http" ? env : {}, env, where));
    case "cli":
      return guarded(name, () => cliRuntime(name, configured?.kind === "cli" ? configured : undefined, name === "cli" ? env : {}, where));
    case "reference":
      return new RecordedReferenceRuntime(config.oracle ?? "oracle");
  }
}

/** llama-server from the tools `refute setup llama.cpp` built for the bundled llama.cpp. */
function llamaServerRuntime(threads: number, extraArgs: string[] | undefined): Runtime {
  if (!existsSync(BUNDLE)) throw new BlockedError(`runtime llama-server: ${BUNDLE} is missing (pnpm install brings node-llama-cpp's llama.cpp source), so llama-server cannot be built`);
  return new LlamaServerRuntime({ place: toolsPlace(bundleHead()), threads, extraArgs });
}

/** The runtime `make` builds, or one that blocks every request with why it could not be built. */
function guarded(name: RuntimeName, make: () => Runtime): Runtime {
  try {
    return make();
  } catch (e) {
    if (e instanceof BlockedError) return new UnavailableRuntime(name, e.reason);
    if (isRefuteError(e)) return new UnavailableRuntime(name, `runtime ${name}: ${e.message}`);
    throw e;
  }
}

type HttpConfig = Extract<ConfiguredRuntime, { kind: "http" }>;
type CliRuntimeConfig = Extract<ConfiguredRuntime, { kind: "cli" }>;

/** An http runtime from its config entry, the REFUTE_HTTP_* overrides (`overrides`, for the runtime named http) and the header variables (`env`). */
function httpRuntime(name: string, configured: HttpConfig | undefined, overrides: Environment, env: Environment, where: string): Runtime {
  const baseUrl = overrides.REFUTE_HTTP_URL ?? configured?.url;
  if (!baseUrl) throw new BlockedError(`runtime ${name}: set REFUTE_HTTP_URL, or runtimes.${name}.url in refute.config.yaml, to an OpenAI-compatible server (e.g. http://127.0.0.1:8080, or \`refute serve\`)`);
  const fromEnv = overrides.REFUTE_HTTP_SERVES !== undefined;
  const serves = fromEnv ? parseServedList(overrides.REFUTE_HTTP_SERVES ?? "", "REFUTE_HTTP_SERVES") : configured?.serves;
  const prompt = overrides.REFUTE_HTTP_PROMPT ?? configured?.prompt ?? "text";
  if (prompt !== "text" && prompt !== "ids") throw new BlockedError(`runtime ${name}: prompt must be text or ids; found ${JSON.stringify(prompt)}`);
  const headers: Record<string, string> = {};
  const headersShown: Record<string, string> = {};
  for (const [header, from] of Object.entries(configured?.headers ?? {})) {
    const value = env[from.env];
    if (value === undefined) throw new BlockedError(`runtime ${name}: header ${header} is read from the environment variable ${from.env}, which is not set`);
    headers[header] = (from.prefix ?? "") + value;
    headersShown[header] = `${from.prefix ?? ""}$${from.env}`;
  }
  return new HttpRuntime({
    name,
    baseUrl,
    serves,
    servesSource: fromEnv ? "REFUTE_HTTP_SERVES" : configured ? `${where}.serves` : "REFUTE_HTTP_SERVES",
    model: overrides.REFUTE_HTTP_MODEL ?? configured?.model,
    promptAs: prompt,
    timeoutMs: configured?.timeout_ms,
    maxBodyBytes: configured?.max_body_bytes,
    headers,
    headersShown,
  });
}

/** A cli runtime from its config entry, or from the JSON file REFUTE_CLI_CONFIG names (for the runtime named cli). */
function cliRuntime(name: string, configured: CliRuntimeConfig | undefined, overrides: Environment, where: string): Runtime {
  const file = overrides.REFUTE_CLI_CONFIG;
  if (file) return new CliRuntime(loadCliConfig(file), name, `${file}: serves`);
  if (!configured) throw new BlockedError(`runtime ${name}: set REFUTE_CLI_CONFIG to a JSON file, or describe runtimes.${name} in refute.config.yaml: the command, the subjects it serves, argument templates and output mapping`);
  const { kind: _, timeout_ms, ...rest } = configured;
  return new CliRuntime(parseCliConfig({ ...rest, ...(timeout_ms ? { timeoutMs: timeout_ms } : {}) }, where), name, `${where}.serves`);
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
