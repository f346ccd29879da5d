// `--skip-contract` of the commands that load a model (run, ppl, kv, serve, trace, bench,
// gates): every load checks the model's contract first (engine/contract-gate.ts) and refuses
// a model that breaks it; this option loads it anyway, and says so on stderr every time, so
// no result of a broken model passes as an ordinary one.

import type { Command } from "commander";
import type { Output } from "./command.ts";

export interface ContractOption {
  skipContract?: boolean;
}

export function withContractOption(command: Command): Command {
  return command.option("--skip-contract", "load the model even when it breaks its contract (NaN weights, a mostly-zero embedding, a tokenizer the embedding cannot serve; refute validate lists why): results then mean little, and a warning says so");
}

/** Whether to skip the gate, warning on stderr when so. */
export function skipContract(options: ContractOption, io: Pick<Output, "err">): boolean {
  if (options.skipContract !== true) return false;
  io.err("refute: warning: --skip-contract: models are loaded without checking their contract; what they compute may be garbage");
  return true;
}
