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

export class HookReads {
  private readonly reads = new Map<string, Set<string>>();

  record(subject: HookSubject, hook: string): void {
    const key = keyOf(subject);
    let hooks = this.reads.get(key);
    if (!hooks) this.reads.set(key, (hooks = new Set()));
    hooks.add(hook);
  }

  /** Whether a fault with `hooks` may change what the subject computes: its clean computations read one of them, or nothing was recorded of it (a runtime that does not record, a check that stopped before any hook). */
  mayChange(subject: HookSubject, hooks: readonly string[]): boolean {
    const read = this.reads.get(keyOf(subject));
    return read === undefined || hooks.some((h) => read.has(h));
  }
}

/** `hooks`, each property read reported to `onRead` by name (present or not: a read of an absent hook is where a fault's would act). */
export function recordingHooks<T extends object>(hooks: T, onRead: (hook: string) => void): T {
  return new Proxy(hooks, {
    get(target, property, receiver) {
      if (typeof property === "string") onRead(property);
      return Reflect.get(target, property, receiver);
    },
  });
}
