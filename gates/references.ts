// What a claim names must exist: its models (zoo slugs, synthetic shapes, configured models, paths), its prompts
// (oracle/prompts/<name>.txt or <name>.messages.json) and the oracle records its measure reads for each model (the
// prompts' generations, or the perplexity record). Problems name the file, the claim, the
// field and the known names, so `gates validate` catches `model: tiny-lama` before a run
// blocks every check on it. Looks at the file system only: no engine code is loaded.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EMPTY_CONFIG, type ProjectConfig } from "../core/config.ts";
import { locateModel, modelProblem, zooModels } from "../core/model-ref.ts";
import { measures } from "../measures/index.ts";
import { perplexityRecord } from "../measures/ppl-text.ts";
import type { Claim, ClaimProblem } from "./claims.ts";

/** A prompt's name from its file: <name>.txt (text) or <name>.messages.json (a chat); null for any other file. */
function promptName(file: string): string | null {
  const m = /^(.+)\.(?:txt|messages\.json)$/.exec(file);
  return m ? m[1] : null;
}

/** Problems with the names a claim uses, against the zoo and the oracle directory. */
export function referenceProblems(claim: Claim, oracleDir: string, config: ProjectConfig = EMPTY_CONFIG): ClaimProblem[] {
  const problems: ClaimProblem[] = [];
  const problem = (field: string, expected: string, found: string) => problems.push({ file: claim.file, claim: claim.id, field, expected, found: JSON.stringify(found) });
  const zoo = zooModels();
  const models = [...claim.subject.model.map((m, i) => [`subject.model${claim.subject.model.length > 1 ? `.${i}` : ""}`, m] as const), ...(claim.against?.model ? [["against.model", claim.against.model] as const] : [])];
  for (const [field, model] of models) {
    const expected = modelProblem(model, config, zoo);
    if (expected) problem(field, expected, model);
  }
  const known = existsSync(join(oracleDir, "prompts")) ? readdirSync(join(oracleDir, "prompts")).map(promptName).filter((n) => n !== null) : [];
  for (const [i, name] of (claim.prompts?.names ?? []).entries()) {
    if (!known.includes(name)) problem(`prompts.${claim.prompts!.mode}.${i}`, `a prompt of ${oracleDir}/prompts/ (${known.sort().join(", ") || "none"})`, name);
  }
  if (problems.length > 0) return problems;
  const need = measures.get(claim.measure)?.oracle(claim.params) ?? "none";
  for (const model of new Set(models.map(([, m]) => locateModel(m, config).model))) {
    const files = need === "generations" ? (claim.prompts?.names ?? []).map((p) => join(oracleDir, model, `${p}.json`)) : need === "perplexity" ? [join(oracleDir, "ppl", perplexityRecord(model, typeof claim.params?.text === "string" ? claim.params.text : undefined))] : [];
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) problem("subject.model", `a model with the oracle records measure '${claim.measure}' reads (missing: ${missing.join(", ")}; pnpm oracle generates them)`, model);
  }
  return problems;
}
