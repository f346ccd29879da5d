// The hooks of refute serve: each makes the server have one bug of the serving catalogue
// (core/faults.ts, "serve-*"), so the serving suite can be shown to catch it. None set: the
// clean server. Which fault sets which hook is decided in runtimes/fault-hooks.ts.

export interface ServeHooks {
  /** Streamed deltas decoded one token at a time: a character split across tokens arrives as U+FFFD (the whole answer is right). */
  readonly streamPerToken?: boolean;
  /** Every request in flight decodes in one session: one KV cache for all of them. */
  readonly sharedKvCache?: boolean;
  /** logprobs reported as probabilities (exp of the log-probability). */
  readonly logprobsAsProbabilities?: boolean;
  /** stop strings accepted and ignored. */
  readonly stopIgnored?: boolean;
  /** This many tokens more than max_tokens. */
  readonly maxTokensExtra?: number;
  /** seed accepted and ignored: every sampled request draws from a seed of the server's choosing. */
  readonly seedIgnored?: boolean;
}

export const NO_SERVE_HOOKS: ServeHooks = Object.freeze({});
