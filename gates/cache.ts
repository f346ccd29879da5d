// One run's memory of what subjects said. A generation is keyed by everything that can
// change it (model, format, quant, backend, runtime, injected fault, prompt text, settings)
// and computed once per run: concurrent requests for one key share one promise, and a
// failure is remembered too, so a broken subject is asked once, not once per claim.
// Runtimes are made by the injected factory, once per runtime name, and closed at the end.

import { createHash } from "node:crypto";
import type { Kernels } from "../engine/backends/kernels.ts";
import {
  BlockedError,
  type BenchmarkRequest,
  type BenchmarkResult,
  type Generation,
  type Perplexity,
  type Runtime,
  type RuntimeName,
  type ScoreOptions,
  type Scoring,
  type SubjectSpec,
} from "../runtimes/runtime.ts";
import type { PromptRef } from "../suites/measure.ts";

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

export function subjectLabel(s: SubjectSpec): string {
  return `${s.model} ${s.format} ${s.quant} ${s.backend} ${s.runtime}` + (s.inject ? ` inject=${s.inject}` : "");
}

export function generationKey(s: SubjectSpec, promptText: string, maxNewTokens: number): string {
  return JSON.stringify(["generate", s.model, s.format, s.quant, s.backend, s.runtime, s.inject ?? null, promptText, { maxNewTokens }]);
}

export function perplexityKey(s: SubjectSpec, text: string, window: number, stride: number): string {
  const sha = createHash("sha256").update(text).digest("hex");
  return JSON.stringify(["perplexity", s.model, s.format, s.quant, s.backend, s.runtime, s.inject ?? null, sha, { window, stride }]);
}

export function scoreKey(s: SubjectSpec, promptText: string, tokens: number[], options: ScoreOptions = {}): string {
  const sha = createHash("sha256").update(JSON.stringify([tokens, options.topK ?? 10, options.candidates ?? null])).digest("hex");
  return JSON.stringify(["score", s.model, s.format, s.quant, s.backend, s.runtime, s.inject ?? null, promptText, sha]);
}

/** Timings are shared by the claims of one run that ask for the same test (as llama-bench's rows). */
export function benchmarkKey(s: SubjectSpec, r: BenchmarkRequest): string {
  return JSON.stringify(["benchmark", s.model, s.format, s.quant, s.backend, s.runtime, s.inject ?? null, r.kind, r.tokens, r.reps, r.warmup ?? 1, r.round ?? 0]);
}

export class SubjectCache {
  private readonly runtimes = new Map<RuntimeName, Promise<Runtime>>();
  private readonly results = new Map<string, Promise<unknown>>();

  constructor(private readonly factory: RuntimeFactory) {}

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

  generate(subject: SubjectSpec, prompt: PromptRef, maxNewTokens: number): Promise<Generation> {
    return this.once(generationKey(subject, prompt.text, maxNewTokens), `${subjectLabel(subject)} prompt=${prompt.name}`, async () =>
      (await this.runtime(subject.runtime)).generate(subject, prompt.text, maxNewTokens),
    );
  }

  perplexity(subject: SubjectSpec, text: string, window: number, stride: number): Promise<Perplexity> {
    return this.once(perplexityKey(subject, text, window, stride), `${subjectLabel(subject)} perplexity window=${window} stride=${stride}`, async () =>
      (await this.runtime(subject.runtime)).perplexity(subject, text, window, stride),
    );
  }

  tokenize(subject: SubjectSpec, text: string): Promise<number[]> {
    const key = JSON.stringify(["tokenize", subject.model, subject.format, subject.quant, subject.backend, subject.runtime, subject.inject ?? null, text]);
    return this.once(key, `${subjectLabel(subject)} tokenize`, async () => (await this.runtime(subject.runtime)).tokenize(subject, text));
  }

  score(subject: SubjectSpec, prompt: PromptRef, tokens: number[], options: ScoreOptions = {}): Promise<Scoring> {
    return this.once(scoreKey(subject, prompt.text, tokens, options), `${subjectLabel(subject)} score prompt=${prompt.name}`, async () =>
      (await this.runtime(subject.runtime)).score(subject, prompt.text, tokens, options),
    );
  }

  benchmark(subject: SubjectSpec, request: BenchmarkRequest): Promise<BenchmarkResult> {
    return this.once(benchmarkKey(subject, request), `${subjectLabel(subject)} ${request.kind}${request.tokens} x${request.reps}`, async () => {
      const runtime = await this.runtime(subject.runtime);
      if (!runtime.benchmark) throw new BlockedError(`runtime ${subject.runtime} cannot be timed in-process`);
      return runtime.benchmark(subject, request);
    });
  }

  kernels(subject: SubjectSpec): Promise<Kernels> {
    return this.once(JSON.stringify(["kernels", subject.backend, subject.runtime, subject.inject ?? null]), `${subjectLabel(subject)} kernels`, async () => {
      const runtime = await this.runtime(subject.runtime);
      if (!runtime.kernels) throw new BlockedError(`runtime ${subject.runtime} exposes no kernels: kernel claims probe the embedded engine`);
      return runtime.kernels(subject);
    });
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

  private once<T>(key: string, context: string, compute: () => Promise<T>): Promise<T> {
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
