// `refute validate`: exit 0 when the model is sound, 1 with every finding when it is not. The
// findings are the contract gate's (engine/contract-gate.ts), which every load enforces: a model
// validate accepts, run accepts, and the other way round. Warnings are printed, not failed.

import { isRefuteError } from "../core/errors.ts";
import { contractFindings, type Finding } from "../engine/contract-gate.ts";
import { openSource } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("validate", io)
    .description(
      "Checks the file (magic, header, version, offsets, sizes) and the contract every load enforces: the layout of every tensor, NaN/Inf values, all-zero tensors, the density of the embedding and the output head, and the tokenizer (its regexes, and that the embedding has a row for every id). Exit code 1 when anything is wrong; warnings (an all-zero bias) are printed only.",
    )
    .argument("<model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--json", "one JSON object: model, valid, findings (code, severity, message, tensor)");
  onRun(command, async (model: string, options: { json?: boolean }) => {
    let findings: Finding[];
    try {
      findings = contractFindings(openSource(model));
    } catch (e) {
      if (!isRefuteError(e) || e.code === "MODEL_NOT_FOUND") throw e;
      findings = [{ code: e.code, severity: "error", message: e.message, ...(typeof e.facts.tensor === "string" ? { tensor: e.facts.tensor } : {}) }];
    }
    const valid = !findings.some((f) => f.severity === "error");
    if (options.json) io.out(JSON.stringify({ model, valid, findings }));
    else if (findings.length === 0) io.out(`${model}: valid`);
    else for (const f of findings) io.out(`${model}: ${f.severity === "warning" ? "warning: " : ""}${f.message} [${f.code}]`);
    return valid ? 0 : 1;
  });
  return runCommand(command, argv, io);
}
