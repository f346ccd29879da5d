// `refute serve`: the embedded engine behind an OpenAI-compatible HTTP API (serve/server.ts:
// completions and chat completions, streaming, logprobs, sampling with a seed, stop strings,
// several requests in flight), so the `http` adapter and the serving suite are tested against
// a real server and other tools can be pointed at the engine.
//
// One model, or one model at several quantizations (--quant q8_0 --quant q4_0: ids
// <name>-q8_0 and <name>-q4_0); with several, a request names its model.

import { InvalidArgumentError, Option } from "commander";
import { isModelPath, nameOfPath } from "../core/model-ref.ts";
import { FILE_QUANTS, type FileQuant } from "../core/vocabulary.ts";
import { loadServedModel } from "../serve/load.ts";
import { createServingServer, listen, type ServedModel } from "../serve/server.ts";
import { kernelsFor, withBackendOptions, type BackendOptions } from "./backend.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";
import { type ContractOption, skipContract, withContractOption } from "./contract-option.ts";
import { positiveInteger, repeatable } from "./options.ts";

/** --port: a TCP port, 0 for a free one. */
function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) throw new InvalidArgumentError("Expected a port from 0 to 65535 (0: a free one).");
  return n;
}

interface ServeCommandOptions extends BackendOptions, ContractOption {
  model: string;
  name?: string;
  quant?: FileQuant[];
  port: number;
  host: string;
  maxBodyBytes: number;
}

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("serve", io)
    .description(
      "Serves the embedded engine over an OpenAI-compatible API: POST /v1/completions and /v1/chat/completions (greedy or seeded sampling, stop, logprobs, echo, stream), GET /v1/models, GET /health, POST /tokenize, /detokenize, /apply-template. Requests in flight at once decode concurrently, each with its own KV cache.",
    )
    .requiredOption("--model <model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--name <id>", "the model's id in /v1/models and requests (default: the model's name, its base name for a path)")
    .addOption(
      repeatable(
        new Option("--quant <quant>", "quantize the model as the native format does (default: run it as loaded); repeatable: each quant is served as <name>-<quant>"),
        FILE_QUANTS,
      ),
    )
    .addOption(new Option("--port <port>", "the TCP port; 0 picks a free one").argParser(portNumber).default(8080))
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .addOption(new Option("--max-body-bytes <n>", "the largest request body accepted").argParser(positiveInteger).default(1 << 20));
  withContractOption(command);
  withBackendOptions(command);
  onRun(command, async (options: ServeCommandOptions) => {
    const engine = { skipContract: skipContract(options, io) };
    const quants = [...new Set(options.quant ?? [])];
    const kernels = await kernelsFor(options, options.model, quants.length > 0 ? quants : [undefined]);
    const name = options.name ?? (isModelPath(options.model) ? nameOfPath(options.model) : options.model);
    const served: ServedModel[] =
      quants.length <= 1
        ? [{ name, ...loadServedModel(options.model, quants[0], kernels, engine) }]
        : quants.map((quant) => ({ name: `${name}-${quant}`, ...loadServedModel(options.model, quant, kernels, engine) }));
    const server = createServingServer(served, { maxBodyBytes: options.maxBodyBytes });
    const address = await listen(server, options.port, options.host);
    const models = served.map((s) => `${s.name} (${s.identity?.format} ${s.identity?.quant})`).join(", ");
    io.out(`refute serve: ${models} on http://${address.address}:${address.port}  (/v1/completions, /v1/chat/completions, /v1/models, /health, /tokenize, /detokenize, /apply-template)`);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => void Promise.resolve(kernels.close?.()).then(() => resolve()));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  });
  return runCommand(command, argv, io);
}
