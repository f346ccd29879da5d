// F-GT-001 and F-GT-003: the provenance rule and record of imports into the native format.
// Only original weights are ground truth: with enforced provenance an import refuses a GGUF
// source (and the same import unenforced succeeds, for diagnosis); a native file imported
// from SafeTensors says so and records every source file with its sha256, which this probe
// computes itself from the files, not trusting the importer's hashing.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FileForm, ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { ProbeResult } from "../violations.ts";

const GGUF_Q8: FileForm = { format: "gguf", quant: "q8_0" };
const SAFETENSORS_Q8: FileForm = { format: "safetensors", quant: "q8_0" };

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

export async function provenanceEnforced(tool: ModelFileTool): Promise<ProbeResult> {
  const enforced = await tool.importNative(GGUF_Q8, true);
  const diagnosis = await tool.importNative(GGUF_Q8, false);
  const violations: string[] = [];
  if (enforced.error?.code !== "PROVENANCE_REFUSED") violations.push(`enforced GGUF import gave ${enforced.error?.code ?? "success"}, expected PROVENANCE_REFUSED`);
  if (diagnosis.error) violations.push(`unenforced GGUF import (diagnosis) failed with ${diagnosis.error.code}`);
  return { checked: 2, violations };
}

export async function provenanceReadable(tool: ModelFileTool): Promise<ProbeResult> {
  const imported = await tool.importNative(SAFETENSORS_Q8, true);
  if (imported.error) return { checked: 1, violations: [`enforced SafeTensors import failed: ${imported.error.message} [${imported.error.code}]`] };
  const { provenance } = imported;
  const violations: string[] = [];
  if (provenance.source_format !== "safetensors") violations.push(`provenance.source_format is ${provenance.source_format}, expected safetensors`);
  if (provenance.quantization !== "q8_0") violations.push(`provenance.quantization is ${provenance.quantization}, expected q8_0`);
  const { files } = await tool.checkpoint();
  for (const path of files) {
    const recorded = provenance.source_files.find((f) => f.path === path);
    if (!recorded) {
      violations.push(`source file ${path} missing from provenance`);
      continue;
    }
    const actual = sha256(path);
    if (recorded.sha256 !== actual) violations.push(`sha256 of ${path} recorded as ${recorded.sha256}, file is ${actual}`);
  }
  return { checked: files.length + 2, violations };
}
