// `refute diff`: two models tensor by tensor.

import { diffSources, mixedQuantizationWarning } from "../engine/inspect/diff.ts";
import { openSource } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("diff", io)
    .description(
      "Per tensor: shape and dtype on each side, whether one is the other's transpose (a layout bug), and the max absolute difference after dequantization. Warns when the two models have different quantization levels (F-GT-002).",
    )
    .argument("<a>", "a model: zoo slug, Hugging Face directory, .rft or .gguf file")
    .argument("<b>", "the model to compare it with")
    .option("--json", "one JSON object: warnings, tensors");
  onRun(command, async (aName: string, bName: string, options: { json?: boolean }) => {
    const a = openSource(aName);
    const b = openSource(bName);
    const diffs = diffSources(a, b);
    const warning = mixedQuantizationWarning(a, b);
    if (options.json) {
      io.out(JSON.stringify({ warnings: warning ? [warning] : [], tensors: diffs }));
      return 0;
    }
    if (warning) io.err(`warning: ${warning}`);
    for (const d of diffs) {
      const shapes = d.shapeA && d.shapeB ? `[${d.shapeA}] ${d.dtypeA} vs [${d.shapeB}] ${d.dtypeB}` : d.shapeA ? "only in a" : "only in b";
      const delta = d.maxAbsDiff === null ? "" : ` max |a-b| ${d.maxAbsDiff.toExponential(3)}`;
      io.out(`${d.name.padEnd(28)} ${shapes}${d.transposed ? " TRANSPOSED" : ""}${delta}`);
    }
    return 0;
  });
  return runCommand(command, argv, io);
}
