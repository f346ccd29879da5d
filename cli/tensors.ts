// `refute tensors`: every tensor with its dtype, shape and statistics after dequantization.

import { RefuteError } from "../core/errors.ts";
import { tensorStats } from "../engine/inspect/stats.ts";
import { openSource } from "../engine/open.ts";
import { parseCommand } from "./args.ts";

const HELP = `usage: refute tensors <model> [--json]

Name, dtype, shape (engine layout: [out, in]) and statistics after dequantization:
min, max, mean, std, NaN, Inf and zero counts.`;

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { json: { type: "boolean" } }, HELP, true);
  if (!parsed) return 0;
  if (parsed.positionals.length !== 1) throw new RefuteError("E_USAGE", `expected one model\n\n${HELP}`, {});
  const stats = [...openSource(parsed.positionals[0]).tensors.values()].map(tensorStats);
  if (parsed.values.json) {
    console.log(JSON.stringify(stats));
    return 0;
  }
  for (const s of stats) {
    console.log(`${s.name.padEnd(28)} ${s.dtype.padEnd(5)} [${s.shape.join(", ")}]`.padEnd(56) + ` min ${fmt(s.min)} max ${fmt(s.max)} mean ${fmt(s.mean)} std ${fmt(s.std)}${s.nan ? ` NaN ${s.nan}` : ""}${s.inf ? ` Inf ${s.inf}` : ""}${s.zeros ? ` zeros ${s.zeros}` : ""}`);
  }
  return 0;
}
