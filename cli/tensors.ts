// `refute tensors`: every tensor with its dtype, shape and statistics after dequantization.

import { tensorStats } from "../engine/inspect/stats.ts";
import { openSource } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("tensors", io)
    .description("Name, dtype, shape (engine layout: [out, in]) and statistics after dequantization: min, max, mean, std, NaN, Inf and zero counts.")
    .argument("<model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--json", "one JSON array, an object per tensor");
  onRun(command, async (model: string, options: { json?: boolean }) => {
    const stats = [...openSource(model).tensors.values()].map(tensorStats);
    if (options.json) {
      io.out(JSON.stringify(stats));
      return 0;
    }
    for (const s of stats) {
      io.out(`${s.name.padEnd(28)} ${s.dtype.padEnd(5)} [${s.shape.join(", ")}]`.padEnd(56) + ` min ${fmt(s.min)} max ${fmt(s.max)} mean ${fmt(s.mean)} std ${fmt(s.std)}${s.nan ? ` NaN ${s.nan}` : ""}${s.inf ? ` Inf ${s.inf}` : ""}${s.zeros ? ` zeros ${s.zeros}` : ""}`);
    }
    return 0;
  });
  return runCommand(command, argv, io);
}
