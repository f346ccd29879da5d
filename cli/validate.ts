// `refute validate`: exit 0 when the model is sound, 1 with every finding when it is not.

import { isRefuteError } from "../core/errors.ts";
import { RefuteError } from "../core/errors.ts";
import { validateSource, type Finding } from "../engine/inspect/validate.ts";
import { openSource } from "../engine/open.ts";
import { parseCommand } from "./args.ts";

const HELP = `usage: refute validate <model> [--json]

Checks the file (magic, header, version, offsets, sizes), the layout contract of every
tensor, NaN/Inf values and all-zero tensors. Exit code 1 when anything is wrong.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { json: { type: "boolean" } }, HELP, true);
  if (!parsed) return 0;
  if (parsed.positionals.length !== 1) throw new RefuteError("E_USAGE", `expected one model\n\n${HELP}`, {});
  const model = parsed.positionals[0];
  let findings: Finding[];
  try {
    findings = validateSource(openSource(model));
  } catch (e) {
    if (!isRefuteError(e) || e.code === "MODEL_NOT_FOUND") throw e;
    findings = [{ code: e.code, message: e.message, tensor: e.facts.tensor as string | undefined }];
  }
  if (parsed.values.json) console.log(JSON.stringify({ model, valid: findings.length === 0, findings }));
  else if (findings.length === 0) console.log(`${model}: valid`);
  else for (const f of findings) console.log(`${model}: ${f.message} [${f.code}]`);
  return findings.length === 0 ? 0 : 1;
}
