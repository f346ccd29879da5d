// `refute inspect`: what a model is: architecture, format, files, parameter count, and the
// format's own metadata (native provenance, GGUF keys).

import { openSource } from "../engine/open.ts";
import { elementCount } from "../engine/tensor.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("inspect", io)
    .description(
      "Architecture (family, dimensions, norm, positions, biases, tied head), format, files, parameters, and metadata: provenance for a .rft file, the GGUF keys for a .gguf file.",
    )
    .argument("<model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--json", "one JSON object");
  onRun(command, async (model: string, options: { json?: boolean }) => {
    const source = openSource(model);
    const dtypes: Record<string, number> = {};
    let parameters = 0;
    for (const t of source.tensors.values()) {
      parameters += elementCount(t.shape);
      dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
    }
    const info = { model, format: source.format, files: source.files, architecture: source.arch, parameters, tensors: source.tensors.size, dtypes, ...source.details };
    if (options.json) {
      io.out(JSON.stringify(info));
      return 0;
    }
    const a = source.arch;
    io.out(`${info.model}: ${a.family}, ${source.format}, ${parameters.toLocaleString("en")} parameters in ${info.tensors} tensors (${Object.entries(dtypes).map(([d, n]) => `${n} ${d}`).join(", ")})`);
    io.out(`  hidden ${a.hidden}, layers ${a.layers}, heads ${a.heads} (kv ${a.kvHeads}, dim ${a.headDim}), ffn ${a.intermediate}, vocab ${a.vocabSize}, context ${a.maxPositions}`);
    io.out(`  ${a.norm === "rms" ? "RMSNorm" : "LayerNorm"} eps ${a.normEps}, ${a.position === "rope" ? `RoPE theta ${a.ropeTheta}` : "learned positions"}, ${a.gatedMlp ? "gated " : ""}${a.activation} MLP, qkv bias ${a.qkvBias}, ${a.tiedEmbeddings ? "tied" : "untied"} head`);
    for (const f of source.files) io.out(`  file ${f.path} (${f.bytes} bytes)`);
    for (const [key, value] of Object.entries(source.details ?? {})) io.out(`  ${key}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}`);
    return 0;
  });
  return runCommand(command, argv, io);
}
