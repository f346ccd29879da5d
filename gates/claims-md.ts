// CLAIMS.md: the pre-registered claims, generated from claims/*.yaml, their power against the
// graded faults (from their recorded `catches`), followed by the hand-written decisions in
// claims/ADR.md. A test fails when the committed file is stale,
// so the document can never disagree with what `pnpm gates` checks.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { measures } from "../measures/index.ts";
import { claimQuantity, type Claim } from "./claims.ts";
import { expandClaim } from "./expand.ts";
import { describeExpected } from "./judge.ts";
import { powerOf } from "./power.ts";
import { GRADED_FAULTS } from "../core/faults.ts";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function matrix(c: Claim): string {
  const axis = (values: string[]) => values.join(", ");
  const s = c.subject;
  const subject = [axis(s.model), axis(s.format), axis(s.quant), axis(s.backend), axis(s.runtime)].join(" · ");
  const against = c.against ? ` vs ${Object.entries(c.against).map(([k, v]) => `${k} ${v}`).join(", ")}` : "";
  const whole = measures.get(c.measure)?.input === "text" ? " · held-out text" : "";
  const prompts = c.prompts ? ` · ${c.prompts.mode === "each" ? "each of" : "all of"} ${c.prompts.names.length} prompts` : whole;
  return subject + against + prompts;
}

export function renderClaimsMd(claims: Claim[], adr: string): string {
  const total = claims.reduce((n, c) => n + expandClaim(c).length, 0);
  const suites = [...new Set(claims.map((c) => c.suite))];
  const out = [
    "<!-- Generated from claims/*.yaml and claims/ADR.md by `pnpm refute gates claims-md`; edit those, not this file. -->",
    "",
    "# Pre-registered claims",
    "",
    "Each claim is a falsifiable prediction, fixed before the checks run. A claim is expanded",
    "over its subject matrix into checks; one falsified check refutes the claim for that subject.",
    `${claims.length} claims in ${suites.length} suites expand into **${total} checks**.`,
    "",
    "| suite | claim | prediction | subjects | checks | severity | references |",
    "|---|---|---|---|---:|---|---|",
  ];
  for (const c of claims) {
    out.push(
      `| ${c.suite} | \`${c.id}\` | ${cell(describeExpected(claimQuantity(c), c.prediction))} | ${cell(matrix(c))} | ${expandClaim(c).length} | ${c.severity} | ${c.references.join(", ") || "-"} |`,
    );
  }
  out.push("", "## Claims", "");
  for (const c of claims) {
    out.push(
      `### \`${c.id}\``,
      "",
      cell(c.statement),
      "",
      `- **Prediction:** ${cell(describeExpected(claimQuantity(c), c.prediction))} (measure \`${c.measure}\`${describeParams(c.params)}, ${c.file})`,
      `- **Rationale:** ${cell(c.rationale)}`,
      `- **Catches:** ${c.catches.length ? c.catches.map((f) => `\`${f}\``).join(", ") : "not yet recorded (the teeth run fills this)"}`,
      "",
    );
  }
  out.push(...powerSection(claims), adr.trim(), "");
  return out.join("\n");
}

/** Each claim's finest recorded catch of each graded kind of fault, as a table per kind. */
function powerSection(claims: Claim[]): string[] {
  const graded = Object.values(GRADED_FAULTS).flatMap((g) => g.magnitudes.map(([fault]) => fault));
  const outcomes = graded.map((fault) => ({ fault, caughtBy: claims.filter((c) => c.catches.includes(fault)).map((c) => c.id) }));
  const power = powerOf(outcomes, claims.map((c) => c.id));
  const out = [
    "## Power against graded faults",
    "",
    "The finest magnitude of each graded fault of the teeth catalogue that a claim is recorded to catch",
    "(its `catches`, which every teeth run verifies; a magnitude refuted on only some zoo models, at the",
    "edge of a tolerance, is left unrecorded and shows in the teeth report). Claims that catch none are left out.",
    "",
  ];
  for (const [family, { what, magnitudes }] of Object.entries(GRADED_FAULTS)) {
    out.push(`### ${family} (${what}; ${magnitudes.map(([, m]) => m).join(", ")})`, "", "| claim | finest caught | caught |", "|---|---:|---|");
    for (const p of power.filter((p) => p.family === family)) out.push(`| \`${p.claim}\` | ${p.finest} | ${p.refuted.join(", ")} |`);
    out.push("");
  }
  return out;
}

/** ", params `bits=4 group_size=64`" (key=value, as test-backend-ops prints a case), or nothing. */
function describeParams(params: Record<string, unknown>): string {
  const pairs = Object.entries(params).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return pairs.length ? `, params \`${pairs.join(" ")}\`` : "";
}

export async function readAdr(claimsDir = "claims"): Promise<string> {
  return readFile(join(claimsDir, "ADR.md"), "utf8");
}
