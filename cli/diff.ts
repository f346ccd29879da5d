// `refute diff`: two models tensor by tensor.

import { RefuteError } from "../core/errors.ts";
import { diffSources, mixedQuantizationWarning } from "../engine/inspect/diff.ts";
import { openSource } from "../engine/open.ts";
import { parseCommand } from "./args.ts";

const HELP = `usage: refute diff <a> <b> [--json]

Per tensor: shape and dtype on each side, whether one is the other's transpose (a layout
bug), and the max absolute difference after dequantization. Warns when the two models have
different quantization levels (F-GT-002). --json: {warnings, tensors}.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { json: { type: "boolean" } }, HELP, true);
  if (!parsed) return 0;
  if (parsed.positionals.length !== 2) throw new RefuteError("E_USAGE", `expected two models\n\n${HELP}`, {});
  const a = openSource(parsed.positionals[0]);
  const b = openSource(parsed.positionals[1]);
  const diffs = diffSources(a, b);
  const warning = mixedQuantizationWarning(a, b);
  if (parsed.values.json) {
    console.log(JSON.stringify({ warnings: warning ? [warning] : [], tensors: diffs }));
    return 0;
  }
  if (warning) console.error(`warning: ${warning}`);
  for (const d of diffs) {
    const shapes = d.shapeA && d.shapeB ? `[${d.shapeA}] ${d.dtypeA} vs [${d.shapeB}] ${d.dtypeB}` : d.shapeA ? "only in a" : "only in b";
    const delta = d.maxAbsDiff === null ? "" : ` max |a-b| ${d.maxAbsDiff.toExponential(3)}`;
    console.log(`${d.name.padEnd(28)} ${shapes}${d.transposed ? " TRANSPOSED" : ""}${delta}`);
  }
  return 0;
}
