// The contract gate: what every model must satisfy before any of its weights reaches a
// kernel, checked by `refute validate` and at every load (run, ppl, serve, kv, bench and the
// embedded runtime of gates) alike, so validate and run never disagree.
//
//   layout      every tensor the architecture needs, with its shape, and no other (the
//               config's counts were bounded and made integral when it was read: config.ts)
//   values      no NaN or Inf anywhere; no weight matrix or norm entirely zero (a bias may
//               be: a checkpoint can hold zero biases, so that is a warning); the token
//               embedding and the output head at least half non-zero (EMBEDDING_DENSITY_FLOOR)
//   tokenizer   tokenizer.json builds (its regexes checked: tokenizer/regex-safety.ts) and
//               every id it can produce has a row in the token embedding
//
// A finding is an error or a warning; errors refuse the load, with the first error's own code
// (LAYOUT_WEIGHT_SHAPE, TENSOR_NAN, ...) and every error in the message, unless the caller skips
// the gate, which the CLI does only with --skip-contract and says so.

import type { ErrorCode } from "../core/error-codes.ts";
import { isRefuteError, RefuteError } from "../core/errors.ts";
import { scanValues } from "./inspect/value-scan.ts";
import type { ModelSource } from "./load.ts";
import { OUTPUT, TOKEN_EMBEDDING } from "./model/names.ts";
import { checkWeightLayout } from "./model/weights.ts";
import { tokenizerFromJson } from "./tokenizer/tokenizer.ts";

/** The least fraction of non-zero values the token embedding and the output head must have. */
export const EMBEDDING_DENSITY_FLOOR = 0.5;

export interface Finding {
  code: ErrorCode;
  severity: "error" | "warning";
  message: string;
  tensor?: string;
}

const finding = (code: ErrorCode, message: string, tensor?: string, severity: Finding["severity"] = "error"): Finding => ({ code, severity, message, ...(tensor ? { tensor } : {}) });

/** A RefuteError as a finding; anything else is a bug of the engine and propagates. */
function caught(action: () => void): Finding[] {
  try {
    action();
    return [];
  } catch (e) {
    if (!isRefuteError(e)) throw e;
    return [finding(e.code, e.message, e.facts.tensor as string | undefined)];
  }
}

function valueFindings(source: ModelSource): Finding[] {
  const out: Finding[] = [];
  for (const t of source.tensors.values()) {
    const s = scanValues(t);
    if (s.nan > 0) out.push(finding("TENSOR_NAN", `tensor ${t.name}: ${s.nan} NaN values`, t.name));
    if (s.inf > 0) out.push(finding("TENSOR_INF", `tensor ${t.name}: ${s.inf} infinite values`, t.name));
    if (s.elements > 0 && s.zeros === s.elements) {
      const bias = t.name.endsWith(".bias");
      out.push(finding("TENSOR_ALL_ZERO", `tensor ${t.name}: every value is zero${bias ? " (a bias may be; kept as a warning)" : ""}`, t.name, bias ? "warning" : "error"));
    } else if ((t.name === TOKEN_EMBEDDING || t.name === OUTPUT) && s.elements > 0) {
      const density = 1 - s.zeros / s.elements;
      if (density < EMBEDDING_DENSITY_FLOOR) {
        out.push(finding("TENSOR_SPARSE_EMBEDDING", `tensor ${t.name}: ${(100 * (1 - density)).toFixed(1)}% of its values are zero; the contract requires at least ${100 * EMBEDDING_DENSITY_FLOOR}% non-zero`, t.name));
      }
    }
  }
  return out;
}

function tokenizerFindings(source: ModelSource): Finding[] {
  let size = 0;
  const built = caught(() => {
    size = tokenizerFromJson(source.tokenizerJson).vocabSize;
  });
  if (built.length > 0) return built;
  const rows = source.tensors.get(TOKEN_EMBEDDING)?.shape[0];
  if (rows !== undefined && size > rows) {
    return [finding("CONTRACT_VOCAB_MISMATCH", `tokenizer.json has ids up to ${size - 1}, but ${TOKEN_EMBEDDING} has ${rows} rows: those tokens have no embedding`, TOKEN_EMBEDDING)];
  }
  return [];
}

/** Every finding of the contract on `source`: layout, values, tokenizer. */
export function contractFindings(source: ModelSource): Finding[] {
  return [...caught(() => checkWeightLayout(source.arch, source.tensors)), ...valueFindings(source), ...tokenizerFindings(source)];
}

/**
 * The findings of sources that passed, by source object: a source kept and shared by runtimes
 * (engine/prepared-sources.ts) is checked once. Nothing writes into a source after it is made,
 * so its findings cannot change.
 */
const PASSED = new WeakMap<ModelSource, Finding[]>();

/** Throws the first error's code, listing the errors, when the source breaks its contract; returns the findings (warnings only). */
export function enforceContract(source: ModelSource): Finding[] {
  const passed = PASSED.get(source);
  if (passed) return passed;
  const findings = contractFindings(source);
  const errors = findings.filter((f) => f.severity === "error");
  if (errors.length > 0) {
    const listed = errors.slice(0, 5).map((f) => `${f.message} [${f.code}]`);
    const more = errors.length > 5 ? `; and ${errors.length - 5} more` : "";
    throw new RefuteError(errors[0].code, `the model breaks its contract: ${listed.join("; ")}${more} (refute validate lists every finding; --skip-contract loads it anyway)`, {
      findings: errors.map((f) => f.code),
      ...(errors[0].tensor ? { tensor: errors[0].tensor } : {}),
    });
  }
  PASSED.set(source, findings);
  return findings;
}
