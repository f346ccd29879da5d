// `refute inspect`: what a model is: architecture, format, files, parameter count, and the
// format's own metadata (native provenance, GGUF keys).

import { RefuteError } from "../core/errors.ts";
import { openSource } from "../engine/open.ts";
import { elementCount } from "../engine/tensor.ts";
import { parseCommand } from "./args.ts";

const HELP = `usage: refute inspect <model> [--json]

Architecture (family, dimensions, norm, positions, biases, tied head), format, files,
parameters, and metadata: provenance for a .rft file, the GGUF keys for a .gguf file.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { json: { type: "boolean" } }, HELP, true);
  if (!parsed) return 0;
  if (parsed.positionals.length !== 1) throw new RefuteError("USAGE", `expected one model\n\n${HELP}`, {});
  const source = openSource(parsed.positionals[0]);
  const dtypes: Record<string, number> = {};
  let parameters = 0;
  for (const t of source.tensors.values()) {
    parameters += elementCount(t.shape);
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  }
  const info = { model: parsed.positionals[0], format: source.format, files: source.files, architecture: source.arch, parameters, tensors: source.tensors.size, dtypes, ...source.details };
  if (parsed.values.json) {
    console.log(JSON.stringify(info));
    return 0;
  }
  const a = source.arch;
  console.log(`${info.model}: ${a.family}, ${source.format}, ${parameters.toLocaleString("en")} parameters in ${info.tensors} tensors (${Object.entries(dtypes).map(([d, n]) => `${n} ${d}`).join(", ")})`);
  console.log(`  hidden ${a.hidden}, layers ${a.layers}, heads ${a.heads} (kv ${a.kvHeads}, dim ${a.headDim}), ffn ${a.intermediate}, vocab ${a.vocabSize}, context ${a.maxPositions}`);
  console.log(`  ${a.norm === "rms" ? "RMSNorm" : "LayerNorm"} eps ${a.normEps}, ${a.position === "rope" ? `RoPE theta ${a.ropeTheta}` : "learned positions"}, ${a.gatedMlp ? "gated " : ""}${a.activation} MLP, qkv bias ${a.qkvBias}, ${a.tiedEmbeddings ? "tied" : "untied"} head`);
  for (const f of source.files) console.log(`  file ${f.path} (${f.bytes} bytes)`);
  for (const [key, value] of Object.entries(source.details ?? {})) console.log(`  ${key}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}`);
  return 0;
}
