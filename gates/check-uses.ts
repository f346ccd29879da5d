// Which operations each check asked of which subject in the teeth run's clean pass (a
// generation, a perplexity, a tokenization, ...), answered from the run's memory or not: with
// the hooks each operation read (core/hook-reads.ts), what a check depends on. A fault whose
// hooks none of them (nor the subject's load) read cannot change the check's verdict.

import { hookSubjectKey, type HookSubject, type SubjectOperation } from "../core/hook-reads.ts";

/** CheckUses as JSON: per check id, each subject it asked and the operations it asked of it. */
export type CheckUsesRecord = Record<string, { subject: HookSubject; operations: SubjectOperation[] }[]>;

export class CheckUses {
  private readonly uses = new Map<string, Map<string, { subject: HookSubject; operations: Set<SubjectOperation> }>>();

  record(checkId: string, subject: HookSubject, operation: SubjectOperation): void {
    let subjects = this.uses.get(checkId);
    if (!subjects) this.uses.set(checkId, (subjects = new Map()));
    const key = hookSubjectKey(subject);
    let entry = subjects.get(key);
    const { model, path, format, quant, backend, runtime } = subject;
    if (!entry) subjects.set(key, (entry = { subject: { model, ...(path !== undefined ? { path } : {}), format, quant, backend, runtime }, operations: new Set() }));
    entry.operations.add(operation);
  }

  /** The operations the check asked of the subject; undefined where it asked it nothing (a check that stopped before, or a subject it only names). */
  operations(checkId: string, subject: HookSubject): ReadonlySet<SubjectOperation> | undefined {
    return this.uses.get(checkId)?.get(hookSubjectKey(subject))?.operations;
  }

  toRecord(): CheckUsesRecord {
    return Object.fromEntries([...this.uses].map(([id, subjects]) => [id, [...subjects.values()].map(({ subject, operations }) => ({ subject, operations: [...operations].sort() }))]));
  }

  /** The uses of several records (shards of one clean pass, each check in one of them) as one. */
  static fromRecords(records: readonly CheckUsesRecord[]): CheckUses {
    const merged = new CheckUses();
    for (const record of records) for (const [id, subjects] of Object.entries(record)) for (const { subject, operations } of subjects) for (const op of operations) merged.record(id, subject, op);
    return merged;
  }
}
