// One run's memory of what subjects said. A generation is keyed by everything that can
// change it (model, format, quant, backend, runtime, injected fault, prompt text, settings)
// and computed once per run: concurrent requests for one key share one promise, and a
// failure is remembered too, so a broken subject is asked once, not once per claim. The
// model-file tool is not remembered: each measure asks for its own, and what it converts goes
// when that measure is done. Runtimes are made by the injected factory, once per runtime name, and closed at the end.
// A repeated run (gates --repeat) asks again in each repetition: its memory is per repetition.

import type { ChatMessage } from "../engine/tokenizer/chat-template.ts";
import { createHash } from "node:crypto";
import { subjectKey, subjectLabel } from "../core/subject.ts";
import type { Capability } from "../core/vocabulary.ts";
import type { Kernels } from "../engine/backends/kernels.ts";
import {
  BlockedError,
  requireCapability,
  requireServed,
  type BenchmarkRequest,
  type BenchmarkResult,
  type Generation,
  type GenerationSettings,
  type KvCacheSettings,
  type KvCompression,
  type Perplexity,
  type Runtime,
  type RuntimeName,
  type ScoreOptions,
  type Scoring,
  type ServingEndpoint,
  type SubjectSpec,
} from "../runtimes/runtime.ts";
import type { FileCommands } from "../runtimes/file-commands.ts";
import type { ModelFileTool } from "../runtimes/model-file-tool.ts";
import type { PromptRef } from "../measures/measure.ts";

/** Makes the runtime for a name; the CLI passes runtimes/index.ts's defaultRuntimeFactory(). */
export type RuntimeFactory = (name: RuntimeName) => Runtime | Promise<Runtime>;

/** A failure of a subject, with which subject and what it was asked. */
export class SubjectError extends Error {
  constructor(
    readonly context: string,
    override readonly cause: unknown,
  ) {
    super(`${context}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "SubjectError";
  }
}

export function generationKey(s: SubjectSpec, promptText: string, maxNewTokens: number, settings: GenerationSettings = {}): string {
  return JSON.stringify(["generate", subjectKey(s), promptText, { maxNewTokens, kvCache: settings.kvCache ?? null }]);
}

export function perplexityKey(s: SubjectSpec, text: string, window: number, stride: number, settings: GenerationSettings = {}): string {
  const sha = createHash("sha256").update(text).digest("hex");
  return JSON.stringify(["perplexity", subjectKey(s), sha, { window, stride, kvCache: settings.kvCache ?? null }]);
}

export function scoreKey(s: SubjectSpec, promptText: string, tokens: number[], options: ScoreOptions = {}): string {
  const sha = createHash("sha256").update(JSON.stringify([tokens, options.topK ?? 10, options.candidates ?? null])).digest("hex");
  return JSON.stringify(["score", subjectKey(s), promptText, sha]);
}

/** Timings are shared by the claims of one run that ask for the same test (as llama-bench's rows). */
export function benchmarkKey(s: SubjectSpec, r: BenchmarkRequest): string {
  return JSON.stringify(["benchmark", subjectKey(s), r.kind, r.tokens, r.reps, r.warmup ?? 1, r.round ?? 0]);
}

const describeSettings = (s: GenerationSettings) => (s.kvCache ? ` kv=int${s.kvCache.bits}-g${s.kvCache.groupSize}${s.kvCache.sparsity ? `-s${s.kvCache.sparsity}` : ""}` : "");

/** An optional method of a runtime that declares its capability, bound; a runtime that declares one without its method is a defect, not a block. */
function method<K extends "benchmark" | "kernels" | "kvCompression" | "modelFiles" | "fileCommands" | "applyChatTemplate" | "serving">(runtime: Runtime, name: K): NonNullable<Runtime[K]> {
  const fn = runtime[name];
  if (typeof fn !== "function") throw new Error(`runtime ${runtime.name} declares the capability for ${name} but does not implement it`);
  return fn.bind(runtime) as NonNullable<Runtime[K]>;
}

/** The tool with each call's failure a SubjectError naming `context` and the call. */
function namingFailures(tool: ModelFileTool, context: string): ModelFileTool {
  return new Proxy(tool, {
    get(target, call, receiver) {
      const value: unknown = Reflect.get(target, call, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        Promise.resolve()
          .then(() => value.apply(target, args))
          .catch((e: unknown) => {
            throw new SubjectError(`${context} ${String(call)}`, e);
          });
    },
  });
}

export class SubjectCache {
  private readonly runtimes: Map<RuntimeName, Promise<Runtime>>;
  private readonly results: Map<string, Promise<unknown>>;

  constructor(
    private readonly factory: RuntimeFactory,
    private readonly repetition = 0,
    shared?: { runtimes: Map<RuntimeName, Promise<Runtime>>; results: Map<string, Promise<unknown>> },
  ) {
    this.runtimes = shared?.runtimes ?? new Map();
    this.results = shared?.results ?? new Map();
  }

  /** The same runtimes with a memory of its own: repetition r of a repeated run (gates --repeat) asks every subject again. */
  forRepetition(r: number): SubjectCache {
    return r === this.repetition ? this : new SubjectCache(this.factory, r, { runtimes: this.runtimes, results: this.results });
  }

  runtime(name: RuntimeName): Promise<Runtime> {
    let pending = this.runtimes.get(name);
    if (!pending) {
      pending = (async () => this.factory(name))().catch((e) => {
        throw new SubjectError(`runtime '${name}' could not be started`, e);
      });
      pending.catch(() => {}); // remembered; reported by each check that needs it
      this.runtimes.set(name, pending);
    }
    return pending;
  }

  /**
   * The text the subject is fed for a prompt: its own text, or for a chat prompt the subject's
   * render of the conversation with its model's chat template and the generation prompt (blocked
   * where the subject cannot render, or its model has no template).
   */
  async promptText(subject: SubjectSpec, prompt: PromptRef): Promise<string> {
    if (!prompt.messages) return prompt.text;
    const rendered = await this.applyChatTemplate(subject, prompt.messages, true);
    if (rendered === null) throw new BlockedError(`chat prompt '${prompt.name}': the model ${subject.model} has no chat template`);
    return rendered;
  }

  generate(subject: SubjectSpec, prompt: PromptRef, maxNewTokens: number, settings: GenerationSettings = {}): Promise<Generation> {
    const context = `${subjectLabel(subject)} prompt=${prompt.name}${describeSettings(settings)}`;
    return this.once(generationKey(subject, prompt.text, maxNewTokens, settings), context, async () => {
      const runtime = await this.capable(subject, "generate");
      if (settings.kvCache) requireCapability(runtime, "kv-cache");
      return runtime.generate(subject, await this.promptText(subject, prompt), maxNewTokens, settings);
    });
  }

  /** The `run`-th greedy generation of the prompt: run 0 is the shared one (generate), every other a request of its own. */
  generateAgain(subject: SubjectSpec, prompt: PromptRef, maxNewTokens: number, run: number): Promise<Generation> {
    if (run === 0) return this.generate(subject, prompt, maxNewTokens);
    const context = `${subjectLabel(subject)} prompt=${prompt.name} run=${run}`;
    return this.once(`${generationKey(subject, prompt.text, maxNewTokens, {})}#${run}`, context, async () =>
      (await this.capable(subject, "generate")).generate(subject, await this.promptText(subject, prompt), maxNewTokens, {}),
    );
  }

  perplexity(subject: SubjectSpec, text: string, window: number, stride: number, settings: GenerationSettings = {}): Promise<Perplexity> {
    const context = `${subjectLabel(subject)} perplexity window=${window} stride=${stride}${describeSettings(settings)}`;
    return this.once(perplexityKey(subject, text, window, stride, settings), context, async () => {
      const runtime = await this.capable(subject, "perplexity");
      if (settings.kvCache) requireCapability(runtime, "kv-cache");
      return runtime.perplexity(subject, text, window, stride, settings);
    });
  }

  tokenize(subject: SubjectSpec, text: string): Promise<number[]> {
    const key = JSON.stringify(["tokenize", subjectKey(subject), text]);
    return this.once(key, `${subjectLabel(subject)} tokenize`, async () => (await this.capable(subject, "tokenize")).tokenize(subject, text));
  }

  applyChatTemplate(subject: SubjectSpec, messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string | null> {
    const key = JSON.stringify(["chat", subjectKey(subject), messages, addGenerationPrompt]);
    return this.once(key, `${subjectLabel(subject)} chat template`, async () => method(await this.capable(subject, "chat-template"), "applyChatTemplate")(subject, messages, addGenerationPrompt));
  }

  score(subject: SubjectSpec, prompt: PromptRef, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    return this.once(scoreKey(subject, prompt.text, tokens, options), `${subjectLabel(subject)} score prompt=${prompt.name}`, async () =>
      (await this.capable(subject, "score")).score(subject, await this.promptText(subject, prompt), tokens, options),
    );
  }

  benchmark(subject: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult> {
    return this.once(benchmarkKey(subject, request), `${subjectLabel(subject)} ${request.kind}${request.tokens} x${request.reps}`, async () =>
      method(await this.capable(subject, "benchmark"), "benchmark")(subject, request),
    );
  }

  kernels(subject: SubjectSpec): Promise<Kernels> {
    return this.once(JSON.stringify(["kernels", subject.backend, subject.runtime, subject.inject ?? null]), `${subjectLabel(subject)} kernels`, async () =>
      method(await this.capable(subject, "kernels"), "kernels")(subject),
    );
  }

  kvCompression(subject: SubjectSpec, text: string, tokens: number, kv: KvCacheSettings): Promise<KvCompression> {
    const sha = createHash("sha256").update(text).digest("hex");
    return this.once(JSON.stringify(["kv-compression", subjectKey(subject), sha, tokens, kv]), `${subjectLabel(subject)} kv compression${describeSettings({ kvCache: kv })}`, async () =>
      method(await this.capable(subject, "kv-cache"), "kvCompression")(subject, text, tokens, kv),
    );
  }

  /**
   * The subject's model-file tool, asked afresh for every request and not kept (what it
   * converts lives as long as the measure that asked); a failure of any of its calls names the
   * subject and the call.
   */
  async modelFiles(subject: SubjectSpec): Promise<ModelFileTool> {
    const context = `${subjectLabel(subject)} model files`;
    try {
      return namingFailures(await method(await this.capable(subject, "model-files"), "modelFiles")(subject), context);
    } catch (e) {
      throw new SubjectError(context, e);
    }
  }

  /** The subject's file commands for `use`, closed after it; a failure other than the tool refusing a file names the subject. */
  async fileCommands<T>(subject: SubjectSpec, use: (tools: FileCommands) => Promise<T>): Promise<T> {
    const tools = await method(await this.capable(subject, "file-commands"), "fileCommands")(subject);
    try {
      return await use(tools);
    } catch (e) {
      throw e instanceof BlockedError ? e : new SubjectError(`${subjectLabel(subject)} file commands (${tools.description})`, e);
    } finally {
      await tools.close();
    }
  }

  /** The subject's server API for `use` (not cached: a serving claim's requests are its observation). */
  async serving<T>(subject: SubjectSpec, use: (endpoint: ServingEndpoint) => Promise<T>): Promise<T> {
    return method(await this.capable(subject, "serving"), "serving")(subject, use);
  }

  /** The subject's runtime, refused (blocked, naming the capability or the subjects it serves) when it cannot do what is asked. */
  private async capable(subject: SubjectSpec, capability: Capability): Promise<Runtime> {
    const runtime = await this.runtime(subject.runtime);
    requireCapability(runtime, capability);
    requireServed(runtime, subject);
    return runtime;
  }

  /** Closes every runtime that started; returns the errors of those that failed to close. */
  async close(): Promise<string[]> {
    const errors: string[] = [];
    for (const [name, pending] of this.runtimes) {
      try {
        await (await pending).close();
      } catch (e) {
        if (!(e instanceof SubjectError)) errors.push(`runtime '${name}' failed to close: ${(e as Error).message ?? e}`);
      }
    }
    return errors;
  }

  private once<T>(subjectKey: string, context: string, compute: () => Promise<T>): Promise<T> {
    const key = this.repetition === 0 ? subjectKey : `${this.repetition}|${subjectKey}`;
    let pending = this.results.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = compute().catch((e) => {
        throw e instanceof SubjectError ? e : new SubjectError(context, e);
      });
      pending.catch(() => {});
      this.results.set(key, pending);
    }
    return pending;
  }
}
