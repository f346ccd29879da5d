// `refute validate`: exit 0 when the model is sound, 1 with every finding when it is not.

import { isRefuteError } from "../core/errors.ts";
import { validateSource, type Finding } from "../engine/inspect/validate.ts";
import { openSource } from "../engine/open.ts";
import { consoleOutput, onRun, refuteCommand, runCommand, type Output } from "./command.ts";

export function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const command = refuteCommand("validate", io)
    .description(
      "Checks the file (magic, header, version, offsets, sizes), the layout contract of every tensor, NaN/Inf values and all-zero tensors. Exit code 1 when anything is wrong.",
    )
    .argument("<model>", "a zoo slug, a Hugging Face directory, a .rft or a .gguf file")
    .option("--json", "one JSON object: model, valid, findings");
  onRun(command, async (model: string, options: { json?: boolean }) => {
    let findings: Finding[];
    try {
      findings = validateSource(openSource(model));
    } catch (e) {
      if (!isRefuteError(e) || e.code === "MODEL_NOT_FOUND") throw e;
      findings = [{ code: e.code, message: e.message, tensor: e.facts.tensor as string | undefined }];
    }
    if (options.json) io.out(JSON.stringify({ model, valid: findings.length === 0, findings }));
    else if (findings.length === 0) io.out(`${model}: valid`);
    else for (const f of findings) io.out(`${model}: ${f.message} [${f.code}]`);
    return findings.length === 0 ? 0 : 1;
  });
  return runCommand(command, argv, io);
}
