// `refute validate`: a model is valid when its file parses (magic, header, version, offsets:
// the readers check those and throw), its tensors satisfy the architecture's layout contract,
// no tensor holds NaN or Inf, and no tensor is entirely zero (a sign of a broken writer).

import type { ErrorCode } from "../../core/error-codes.ts";
import { isRefuteError } from "../../core/errors.ts";
import type { ModelSource } from "../load.ts";
import { buildWeights } from "../model/weights.ts";
import { tensorStats } from "./stats.ts";

export interface Finding {
  code: ErrorCode;
  message: string;
  tensor?: string;
}

export function validateSource(source: ModelSource): Finding[] {
  const findings: Finding[] = [];
  try {
    buildWeights(source.arch, source.tensors);
  } catch (e) {
    if (!isRefuteError(e)) throw e;
    findings.push({ code: e.code, message: e.message, tensor: e.facts.tensor as string | undefined });
  }
  for (const t of source.tensors.values()) {
    const s = tensorStats(t);
    if (s.nan > 0) findings.push({ code: "TENSOR_NAN", message: `tensor ${t.name}: ${s.nan} NaN values`, tensor: t.name });
    if (s.inf > 0) findings.push({ code: "TENSOR_INF", message: `tensor ${t.name}: ${s.inf} infinite values`, tensor: t.name });
    if (s.elements > 0 && s.zeros === s.elements) findings.push({ code: "TENSOR_ALL_ZERO", message: `tensor ${t.name}: every value is zero`, tensor: t.name });
  }
  return findings;
}
