// Every registered measure, through the real runner, on a fake runtime with every capability:
// a clean subject corroborates the row's claim and a broken one falsifies it. One row per
// measure (the table must cover the registry), claims written as YAML and loaded as the
// catalogue's are, so params, defaults and capabilities take the real path.

import { describe, expect, it } from "vitest";
import { formatProblem, parseClaimFile } from "../../gates/claims.ts";
import { expandClaims } from "../../gates/expand.ts";
import { runChecks } from "../../gates/run.ts";
import { measures } from "../../measures/index.ts";
import type { SubjectSpec } from "../../runtimes/runtime.ts";
import { FIXTURE_ORACLE } from "../gates/fixtures/make-oracle.ts";
import { TableRuntime, type Behaviour } from "./table-runtime.ts";

interface Row {
  measure: string;
  /** YAML lines of the claim after `measure:` (params, subject, against, prompts, prediction). */
  body: string;
}

const NATIVE = "subject: { model: tiny-llama, format: native, quant: q8_0 }";
const KV_SUBJECT = "subject: { model: tiny-llama, format: safetensors, quant: f32 }";
const GGUF = "subject: { model: tiny-llama, format: gguf, quant: q8_0 }";
const ONE_PROMPT = "prompts: { each: [code] }";
const ALL_PROMPTS = "prompts: { all: [code, greeting] }";

const ROWS: Row[] = [
  { measure: "exact-text", body: `${NATIVE}\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: { of: oracle } }` },
  { measure: "token-mismatch", body: `${NATIVE}\n${ONE_PROMPT}\nprediction: { comparator: le, threshold: 3 }` },
  { measure: "drift", body: `${NATIVE}\nagainst: { quant: q4_0 }\n${ONE_PROMPT}\nprediction: { comparator: le, threshold: { of: against, offset: 1 } }` },
  { measure: "roundtrip", body: `subject: { model: tiny-llama, format: roundtrip, quant: q8_0 }\nagainst: { format: native }\n${ALL_PROMPTS}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "ppl-ceiling", body: `${NATIVE}\nprediction: { comparator: lt, threshold: { of: oracle, factor: 2 } }` },
  { measure: "ppl-difference", body: `${NATIVE}\nagainst: { quant: q4_0 }\nprediction: { comparator: lt, threshold: 0.5 }` },
  { measure: "runtime-agreement", body: `${GGUF}\nagainst: { runtime: llamacpp }\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "tokenize-agreement", body: `${GGUF}\nagainst: { runtime: llamacpp }\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "forced-top1", body: `${NATIVE}\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "kl-divergence", body: `${NATIVE}\n${ALL_PROMPTS}\nprediction: { comparator: lt, threshold: 1.0e-6 }` },
  { measure: "same-top1", body: `${NATIVE}\n${ALL_PROMPTS}\nprediction: { comparator: ge, threshold: 99 }` },
  { measure: "rms-dp", body: `${NATIVE}\n${ALL_PROMPTS}\nprediction: { comparator: lt, threshold: 1 }` },
  { measure: "decode-scaling", body: `${GGUF}\nparams: { short: 10, long: 100 }\nprediction: { comparator: lt, threshold: 15 }` },
  { measure: "timing-cv", body: `${GGUF}\nparams: { rounds: 4 }\nprediction: { comparator: lt, threshold: 20 }` },
  { measure: "throughput-ratio", body: `${GGUF}\nagainst: { runtime: llamacpp }\nprediction: { comparator: ge, threshold: 0.8 }` },
  { measure: "kernel-agreement", body: `${NATIVE}\nparams: { ops: [RMS_NORM, ARGMAX] }\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "kernel-probe", body: `${NATIVE}\nparams: { probe: norm-of-zero }\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "strict-next-token", body: `${NATIVE}\nparams: { top_k: 5, logprob_tol: 0.001 }\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "file-tool-probe", body: `${NATIVE}\nparams: { probe: inspect-architecture }\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "model-file-probe", body: `${NATIVE}\nparams: { probe: sharded-load }\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "determinism", body: `${NATIVE}\n${ALL_PROMPTS}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "kv-perplexity", body: `${KV_SUBJECT}\nparams: { bits: 4, group_size: 64, unit: percent }\nprediction: { comparator: lt, threshold: 1 }` },
  { measure: "kv-greedy-mismatch", body: `${KV_SUBJECT}\nparams: { bits: 8, group_size: 32 }\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "logprob-delta", body: `${NATIVE}\nparams: { tokens: top-k, k: 10 }\n${ALL_PROMPTS}\nprediction: { comparator: le, threshold: 0.0001 }` },
  { measure: "logprob-agreement", body: `${NATIVE}\nagainst: { backend: cpu-ts }\nparams: { tokens: top-k }\n${ALL_PROMPTS}\nprediction: { comparator: le, threshold: 0.0001 }` },
  { measure: "generation-sanity", body: `${NATIVE}\nparams: { property: repetition }\n${ALL_PROMPTS}\nprediction: { comparator: lt, threshold: 8 }` },
  { measure: "tokenizer-vectors", body: `${NATIVE}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "chat-render", body: `${NATIVE}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "end-of-sequence", body: `${NATIVE}\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: { of: oracle } }` },
  { measure: "kv-oracle-mismatch", body: `${KV_SUBJECT}\nparams: { bits: 8, group_size: 32, sparsity: 0 }\n${ONE_PROMPT}\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "ppl-deviation", body: `${NATIVE}\nprediction: { comparator: lt, threshold: 1 }` },
  { measure: "serving", body: `${NATIVE}\nparams: { behaviour: max-tokens }\nprompts: { all: [code] }\nprediction: { comparator: eq, threshold: 0 }` },
  { measure: "serving-latency-ratio", body: `${NATIVE}\nprompts: { all: [code] }\nprediction: { comparator: lt, threshold: 5 }` },
  { measure: "kv-cache-fidelity", body: `${KV_SUBJECT}\nparams: { bits: 4, group_size: 128, metric: snr-db, tokens: 16 }\nprediction: { comparator: ge, threshold: 18 }` },
];

function claimFile(row: Row): string {
  const body = row.body
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return [
    "# yaml-language-server: $schema=./schema.json",
    "claims:",
    `  - id: table-${row.measure}`,
    "    suite: table",
    "    statement: The row's claim, for the table of measures.",
    "    rationale: A clean fake subject holds it; a broken one does not.",
    `    measure: ${row.measure}`,
    body,
    "    severity: low",
    "    references: []",
    "    catches: []",
    "",
  ].join("\n");
}

async function verdictOf(row: Row, behaviour: Behaviour): Promise<string> {
  const { claims, problems } = parseClaimFile("claims/table.yaml", claimFile(row));
  expect(problems.map(formatProblem)).toEqual([]);
  const checks = expandClaims(claims);
  expect(checks).toHaveLength(1);
  // Only the claim's own subject misbehaves; a second subject (another quant, format or runtime) is clean.
  const own = (spec: SubjectSpec) => spec.quant === checks[0].subject.quant && spec.format === checks[0].subject.format && spec.runtime === checks[0].subject.runtime && spec.backend === checks[0].subject.backend;
  const { results } = await runChecks(checks, { factory: (name) => new TableRuntime(name, (spec) => (own(spec) ? behaviour : "clean")), oracleDir: FIXTURE_ORACLE });
  const [result] = results;
  return result.verdict === "blocked" ? `blocked: ${result.reason}` : result.verdict;
}

describe("every measure", () => {
  it("has a row in the table", () => {
    expect(ROWS.map((r) => r.measure).sort()).toEqual([...measures.keys()].sort());
  });

  for (const row of ROWS) {
    it(`${row.measure}: a clean subject corroborates, a broken one falsifies`, async () => {
      expect(await verdictOf(row, "clean")).toBe("corroborated");
      expect(await verdictOf(row, "broken")).toBe("falsified");
    });
  }
});
