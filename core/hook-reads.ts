// Which fault hooks each subject's computations consult: the teeth run's record of what a
// fault can change. The engine decides at a hook whether to take a faulty path (it reads
// hooks.kernels, hooks.quantizedSource, ...), so a subject whose clean run never read any of a
// fault's hooks computes exactly what it computed clean under that fault, and its clean
// verdicts stand for it. A Proxy over the clean hooks records every property read, per
// subject (its model, format, quant, backend and runtime; the fault is the one thing that
// differs).

export interface HookSubject {
  model: string;
  path?: string;
  format: string;
  quant: string;
  backend: string;
  runtime: string;
}

const keyOf = (s: HookSubject) => JSON.stringify([s.model, s.path ?? null, s.format, s.quant, s.backend, s.runtime]);

/**
 * The hooks that transform the prepared model source (engine/convert.ts): a fault that acts
 * through them alone and leaves every source a subject prepared byte for byte as it was
 * changes nothing downstream of it (the rest of the engine is deterministic and the same).
 */
export const SOURCE_HOOKS: ReadonlySet<string> = new Set(["loadedSource", "quantizedSource"]);

export class HookReads {
  private readonly reads = new Map<string, Set<string>>();
  /** per subject, per fault of the source hooks: whether its transform changed any source the subject prepared clean */
  private readonly sourceEffects = new Map<string, Map<string, boolean>>();

  record(subject: HookSubject, hook: string): void {
    const key = keyOf(subject);
    let hooks = this.reads.get(key);
    if (!hooks) this.reads.set(key, (hooks = new Set()));
    hooks.add(hook);
  }

  /** That `fault`'s source transform, tried on a source the subject prepared clean, changed it (or not). */
  recordSourceEffect(subject: HookSubject, fault: string, changed: boolean): void {
    const key = keyOf(subject);
    let effects = this.sourceEffects.get(key);
    if (!effects) this.sourceEffects.set(key, (effects = new Map()));
    effects.set(fault, (effects.get(fault) ?? false) || changed);
  }

  /**
   * Whether a fault with `hooks` may change what the subject computes: its clean computations
   * read one of them, or nothing was recorded of it (a runtime that does not record, a check
   * that stopped before any hook); but not where every hook it read is a source hook whose
   * transform (`fault`'s), tried on each source the subject prepared, left it as it was.
   */
  mayChange(subject: HookSubject, hooks: readonly string[], fault?: string): boolean {
    const key = keyOf(subject);
    const read = this.reads.get(key);
    if (read === undefined) return true;
    const reached = hooks.filter((h) => read.has(h));
    if (reached.length === 0) return false;
    const unchanged = fault !== undefined && this.sourceEffects.get(key)?.get(fault) === false;
    return !(unchanged && reached.every((h) => SOURCE_HOOKS.has(h)));
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
