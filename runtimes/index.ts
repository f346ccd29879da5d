// The runtimes a claim can name, by name. Adapters other than the embedded engine report
// themselves blocked until they are configured.

import { EmbeddedRuntime } from "./embedded.ts";
import { BlockedError, type Generation, type Perplexity, type Runtime, type RuntimeName } from "./runtime.ts";

class UnavailableRuntime implements Runtime {
  constructor(readonly name: RuntimeName) {}
  private blocked(): never {
    throw new BlockedError(`runtime ${this.name}: no adapter for it in this build`);
  }
  async tokenize(): Promise<number[]> {
    return this.blocked();
  }
  async generate(): Promise<Generation> {
    return this.blocked();
  }
  async perplexity(): Promise<Perplexity> {
    return this.blocked();
  }
  async close(): Promise<void> {}
}

/** One runtime instance per name for a whole run, so prepared models are shared. */
export function defaultRuntimeFactory(): (name: RuntimeName) => Runtime {
  const instances = new Map<RuntimeName, Runtime>();
  return (name) => {
    let runtime = instances.get(name);
    if (!runtime) {
      runtime = name === "embedded" ? new EmbeddedRuntime() : new UnavailableRuntime(name);
      instances.set(name, runtime);
    }
    return runtime;
  };
}
