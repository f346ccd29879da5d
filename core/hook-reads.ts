// Which fault hooks each subject's computations consult: the teeth run's record of what a
// fault can change. The engine decides at a hook whether to take a faulty path (it reads
// hooks.kernels, hooks.quantizedSource, ...), so a subject whose clean run never read any of a
// fault's hooks computes exactly what it computed clean under that fault, and its clean
// verdicts stand for it. A Proxy over the clean hooks records every property read, per
// subject (its model, format, quant, backend and runtime; the fault is the one thing that
// differs) and per operation asked of it (a check that only asked for perplexity does not
// depend on what generation read).

export interface HookSubject {
  model: string;
  path?: string;
  format: string;
  quant: string;
  backend: string;
  runtime: string;
}

/** A subject's identity for its hook reads: everything but its fault. */
export const hookSubjectKey = (s: HookSubject) => JSON.stringify([s.model, s.path ?? null, s.format, s.quant, s.backend, s.runtime]);

/**
 * The hooks that transform the prepared model source (engine/convert.ts): a fault that acts
 * through them alone and leaves every source a subject prepared byte for byte as it was
 * changes nothing downstream of it (the rest of the engine is deterministic and the same).
 */
export const SOURCE_HOOKS: ReadonlySet<string> = new Set(["loadedSource", "quantizedSource"]);

/**
 * What a subject's computations are grouped by: a check depends on the reads made while its
 * subject's model was loaded (LOAD_OPERATION, and any read the runtime cannot place) and on
 * those of the operations it asked of the subject (generate, perplexity, ...), no others.
 */
export const LOAD_OPERATION = "load";

/** The operations a check asks of a subject (gates/run.ts) and the engine labels its hook reads with (runtimes/embedded.ts). */
export type SubjectOperation = typeof LOAD_OPERATION | "generate" | "perplexity" | "tokenize" | "score" | "benchmark" | "kernels" | "kv-compression" | "files" | "chat" | "serving" | "trace";

/** HookReads as JSON: per subject key, per operation, the hooks read; per subject key, per fault of the source hooks, whether its transform changed a source. */
export interface HookReadsRecord {
  reads: Record<string, Record<string, string[]>>;
  sourceEffects: Record<string, Record<string, boolean>>;
}

export class HookReads {
  /** per subject, per operation: the hooks read */
  private readonly reads = new Map<string, Map<string, Set<string>>>();
  /** per subject, per fault of the source hooks: whether its transform changed any source the subject prepared clean */
  private readonly sourceEffects = new Map<string, Map<string, boolean>>();

  record(subject: HookSubject, hook: string, operation: SubjectOperation = LOAD_OPERATION): void {
    this.add(hookSubjectKey(subject), operation, [hook]);
  }

  /** That `fault`'s source transform, tried on a source the subject prepared clean, changed it (or not). */
  recordSourceEffect(subject: HookSubject, fault: string, changed: boolean): void {
    this.addEffect(hookSubjectKey(subject), fault, changed);
  }

  toRecord(): HookReadsRecord {
    return {
      reads: Object.fromEntries([...this.reads].map(([key, ops]) => [key, Object.fromEntries([...ops].map(([op, hooks]) => [op, [...hooks].sort()]))])),
      sourceEffects: Object.fromEntries([...this.sourceEffects].map(([key, effects]) => [key, Object.fromEntries(effects)])),
    };
  }

  /** The reads of several records (shards of one clean pass) as one: the hooks read, united; a source changed where any shard saw it changed. */
  static fromRecords(records: readonly HookReadsRecord[]): HookReads {
    const merged = new HookReads();
    for (const record of records) {
      for (const [key, ops] of Object.entries(record.reads)) for (const [op, hooks] of Object.entries(ops)) merged.add(key, op, hooks);
      for (const [key, effects] of Object.entries(record.sourceEffects)) for (const [fault, changed] of Object.entries(effects)) merged.addEffect(key, fault, changed);
    }
    return merged;
  }

  /**
   * Whether a fault with `hooks` may change what the subject computes for a check that asked
   * it for `operations` (default: all of them): the subject's load or one of those operations
   * read one of the hooks, or nothing was recorded of the subject (a runtime that does not
   * record, a check that stopped before any hook); but not where every hook it read is a source
   * hook whose transform (`fault`'s), tried on each source the subject prepared, left it as it was.
   */
  mayChange(subject: HookSubject, hooks: readonly string[], fault?: string, operations?: Iterable<string>): boolean {
    const key = hookSubjectKey(subject);
    const ops = this.reads.get(key);
    if (ops === undefined) return true;
    const asked = operations === undefined ? [...ops.keys()] : [LOAD_OPERATION, ...operations];
    const reached = hooks.filter((h) => asked.some((op) => ops.get(op)?.has(h)));
    if (reached.length === 0) return false;
    const unchanged = fault !== undefined && this.sourceEffects.get(key)?.get(fault) === false;
    return !(unchanged && reached.every((h) => SOURCE_HOOKS.has(h)));
  }

  private add(key: string, operation: string, hooks: Iterable<string>): void {
    let ops = this.reads.get(key);
    if (!ops) this.reads.set(key, (ops = new Map()));
    let set = ops.get(operation);
    if (!set) ops.set(operation, (set = new Set()));
    for (const hook of hooks) set.add(hook);
  }

  private addEffect(key: string, fault: string, changed: boolean): void {
    let effects = this.sourceEffects.get(key);
    if (!effects) this.sourceEffects.set(key, (effects = new Map()));
    effects.set(fault, (effects.get(fault) ?? false) || changed);
  }
}

/**
 * `hooks`, each property read reported to `onRead` by name (present or not: a read of an
 * absent hook is where a fault's would act). `probes` answer for absent hooks instead of
 * undefined: a source hook's probe returns the source it is given, the very object, so the
 * engine computes what it computes without it, while the probe tries the faults' transforms.
 */
export function recordingHooks<T extends object>(hooks: T, onRead: (hook: string) => void, probes: Readonly<Record<string, unknown>> = {}): T {
  return new Proxy(hooks, {
    get(target, property, receiver) {
      if (typeof property === "string") onRead(property);
      const value = Reflect.get(target, property, receiver);
      return value === undefined && typeof property === "string" && Object.hasOwn(probes, property) ? probes[property] : value;
    },
  });
}
