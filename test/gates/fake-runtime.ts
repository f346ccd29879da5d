// A small fake subject for the gate runner's tests. By default it says exactly what the
// fixture oracle says; a script makes it change chosen tokens, report chosen perplexities,
// or throw, per subject, and per injected fault (`faults`, for the teeth run). It records
// every call so tests can count generations.

import type { Capability } from "../../core/vocabulary.ts";
import type { RuntimeFactory } from "../../gates/cache.ts";
import { BlockedError, type Generation, type Perplexity, type Runtime, type RuntimeName, type Scoring, type SubjectSpec } from "../../runtimes/runtime.ts";
import { decode, FIXTURE_TOKENS_SCORED, ORACLE_PPL, oracleTokens, oracleTopK, PROMPTS } from "./fixtures/make-oracle.ts";

export interface FakeScript {
  /** Generated positions whose token this subject gets wrong (token + 1). */
  flips?: (spec: SubjectSpec, prompt: string) => number[];
  /** Perplexity this subject reports; default the oracle's + 0.1 (q8_0) or + 0.3 (others). */
  perplexity?: (spec: SubjectSpec) => number | undefined;
  /** Something to throw instead of answering (undefined: answer). */
  fail?: (spec: SubjectSpec, op: "generate" | "perplexity") => unknown;
  /** Milliseconds each call takes, so concurrent requests overlap. */
  delayMs?: number;
  /**
   * What each fault does to this subject when spec.inject names it: its flips are added to
   * the script's, its perplexity and failure take precedence. A fault not listed changes nothing.
   */
  faults?: Record<string, FaultEffect>;
}

export type FaultEffect = Pick<FakeScript, "flips" | "perplexity" | "fail">;

const promptName = (text: string) => Object.entries(PROMPTS).find(([, t]) => t === text)?.[0] ?? `unknown:${text}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeRuntime implements Runtime {
  serves(): string | null {
    return null;
  }

  readonly capabilities: ReadonlySet<Capability> = new Set(["generate", "score", "tokenize", "perplexity"]);
  readonly calls: string[] = [];
  closed = false;

  constructor(
    readonly name: RuntimeName,
    private readonly script: FakeScript = {},
  ) {}

  async tokenize(_spec: SubjectSpec, text: string): Promise<number[]> {
    return [...text].map((c) => c.charCodeAt(0));
  }

  async generate(spec: SubjectSpec, prompt: string, maxNewTokens: number): Promise<Generation> {
    const name = promptName(prompt);
    this.calls.push(`generate ${spec.model}/${spec.format}/${spec.quant}/${spec.backend}/${spec.runtime}/${spec.inject ?? "-"} ${name} ${maxNewTokens}`);
    if (this.script.delayMs) await sleep(this.script.delayMs);
    const fault = this.effectOf(spec);
    const failure = fault?.fail?.(spec, "generate") ?? this.script.fail?.(spec, "generate");
    if (failure !== undefined) throw failure;
    const flips = new Set([...(this.script.flips?.(spec, name) ?? []), ...(fault?.flips?.(spec, name) ?? [])]);
    const tokens = oracleTokens(spec.model, name)
      .slice(0, maxNewTokens)
      .map((t, i) => (flips.has(i) ? t + 1 : t));
    return { promptTokens: [1, 2, 3], tokens, text: decode(tokens), topk: oracleTopK(tokens) };
  }

  async perplexity(spec: SubjectSpec, _text: string, window: number, stride: number): Promise<Perplexity> {
    this.calls.push(`perplexity ${spec.model}/${spec.format}/${spec.quant}/${spec.backend}/${spec.runtime}/${spec.inject ?? "-"}`);
    if (this.script.delayMs) await sleep(this.script.delayMs);
    const fault = this.effectOf(spec);
    const failure = fault?.fail?.(spec, "perplexity") ?? this.script.fail?.(spec, "perplexity");
    if (failure !== undefined) throw failure;
    const perplexity = fault?.perplexity?.(spec) ?? this.script.perplexity?.(spec) ?? ORACLE_PPL[spec.model] + (spec.quant === "q8_0" ? 0.1 : 0.3);
    return { perplexity, tokensScored: FIXTURE_TOKENS_SCORED, window, stride };
  }

  async score(spec: SubjectSpec): Promise<Scoring> {
    this.calls.push(`score ${spec.model}/${spec.format}/${spec.quant}/${spec.backend}/${spec.runtime}/${spec.inject ?? "-"}`);
    throw new BlockedError("the fake subject does not score");
  }

  private effectOf(spec: SubjectSpec): FaultEffect | undefined {
    return spec.inject === undefined ? undefined : this.script.faults?.[spec.inject];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A factory over fake runtimes, remembering what it made. */
export function fakeFactory(script: FakeScript = {}): { factory: RuntimeFactory; made: FakeRuntime[]; calls: () => string[] } {
  const made: FakeRuntime[] = [];
  return {
    factory: (name) => {
      const runtime = new FakeRuntime(name, script);
      made.push(runtime);
      return runtime;
    },
    made,
    calls: () => made.flatMap((r) => r.calls),
  };
}

export { FIXTURE_ORACLE } from "./fixtures/make-oracle.ts";
