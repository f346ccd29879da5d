// `refute trace`: where a subject first departs from the reference, tensor by tensor. The
// engine runs a prompt (followed by the oracle's first greedy tokens, as the reference's trace
// did) recording the activations at every point of every layer (engine/generate/trace.ts);
// they are compared with the PyTorch reference's trace under the oracle (scripts/gen_trace.py),
// or with the same model on another backend, and the first tensor over the bound is named with
// its layer, position, element and error (gates/trace.ts). Exit 0 when every tensor is within
// the bound, 1 when one departs, 2 for bad input.

import { InvalidArgumentError, Option } from "commander";
import { RefuteError } from "../core/errors.ts";
import { FAULT_NAMES } from "../core/faults.ts";
import { locateModel } from "../core/model-ref.ts";
import { EMPTY_CONFIG } from "../core/config.ts";
import { BACKENDS, type Backend, FORMATS, type Format, QUANTS, type Quant } from "../core/vocabulary.ts";
import { OracleStore } from "../gates/oracle.ts";
import { compareTraces, describeTensorError, TRACE_BOUND, type TraceComparison } from "../gates/trace.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";

interface TraceOptions extends ContractOption {
  model: string;
  prompt: string;
  format: Format;
  quant: Quant;
  backend: Backend;
  against: "oracle" | `backend:${Backend}`;
  inject?: string;
  oracle: string;
  json?: boolean;
}

function againstOption(text: string): TraceOptions["against"] {
  if (text === "oracle") return "oracle";
  const m = /^backend:(.+)$/.exec(text);
  if (m && (BACKENDS as readonly string[]).includes(m[1])) return text as TraceOptions["against"];
  throw new InvalidArgumentError(`Expected oracle or backend:<${BACKENDS.join("|")}>.`);
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("trace", io)
    .description(
      "Runs the engine on a prompt (and the oracle's first greedy tokens) recording every layer's activations, compares them with the PyTorch reference's trace under the oracle (or with another backend) and names the first tensor whose relative error exceeds the float32 bound. Exit 0 when none does, 1 when one departs.",
    )
    .requiredOption("--model <name>", "a zoo slug or a model path (its reference trace lives under the oracle, by the model's name)")
    .requiredOption("--prompt <name>", "an oracle prompt with a reference trace (pnpm oracle writes one for `completion`)")
    .addOption(new Option("--format <format>", "how the engine reads the model").choices(FORMATS).default("native"))
    .addOption(new Option("--quant <quant>", "the weights' type").choices(QUANTS).default("f32"))
    .addOption(new Option("--backend <name>", "the engine's kernels").choices(BACKENDS).default("cpu"))
    .addOption(new Option("--against <what>", "oracle (the PyTorch reference's trace) or backend:<name> (the engine on another backend)").argParser(againstOption).default("oracle"))
    .addOption(new Option("--inject <fault>", "a fault of the teeth catalogue, to see where it shows").choices(FAULT_NAMES))
    .option("--oracle <dir>", "the oracle files", "oracle")
    .option("--json", "one JSON object: the first departing tensor and every tensor's error");
  withContractOption(command);
  onRun(command, (options: TraceOptions) => trace(options, io));
  return runCommand(command, argv, io);
}

async function trace(options: TraceOptions, io: Output): Promise<number> {
  const store = new OracleStore(options.oracle);
  const { model, path } = locateModel(options.model, EMPTY_CONFIG);
  const reference = await store.trace(model, options.prompt).catch((e) => {
    if ((e as RefuteError).code === "E_ORACLE_MISSING") {
      throw new RefuteError("E_ORACLE_MISSING", `no reference trace of ${model} for prompt ${options.prompt} under ${options.oracle}/ (scripts/gen_trace.py --model ${options.model} --prompt ${options.prompt} writes one)`, { model });
    }
    throw e;
  });
  const { EmbeddedRuntime } = await import("../runtimes/embedded.ts");
  const runtime = new EmbeddedRuntime({ skipContract: skipContract(options, io) });
  try {
    const subject = { model, ...(path ? { path } : {}), format: options.format, quant: options.quant, backend: options.backend, runtime: "embedded", ...(options.inject ? { inject: options.inject } : {}) };
    const mine = await runtime.trace(subject, reference.tokens);
    const theirs = options.against === "oracle" ? reference.tensors : await runtime.trace({ ...subject, backend: options.against.slice("backend:".length) as Backend, inject: undefined }, reference.tokens);
    const comparison = compareTraces(mine, theirs);
    io.out(options.json ? JSON.stringify({ model, prompt: options.prompt, against: options.against, positions: reference.tokens.length, ...comparison }) : render(comparison, options, reference.tokens.length));
    return comparison.first ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

function render(c: TraceComparison, options: TraceOptions, positions: number): string {
  const subject = `${options.model} ${options.format} ${options.quant} ${options.backend}${options.inject ? ` inject=${options.inject}` : ""}`;
  const lines = [`trace of ${subject} on ${options.prompt} (${positions} positions) against ${options.against}: ${c.tensors.length} tensors, bound ${TRACE_BOUND.toExponential(1)} of each tensor's largest magnitude`];
  for (const t of c.tensors) lines.push(`  ${t.name.padEnd(22)} ${t.relative.toExponential(2)}${t === c.first ? "  <- first over the bound" : ""}`);
  lines.push(c.first ? `first departure: ${describeTensorError(c.first, c.bound)}` : "every tensor is within the bound");
  return lines.join("\n");
}
