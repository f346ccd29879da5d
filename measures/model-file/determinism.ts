// F-GT-004: greedy decoding has no randomness, so independent loads and greedy runs of the
// subject on the claim's prompts give bit-identical tokens and top-k log-probs. Each run is
// fingerprinted by the sha256 of its tokens and log-probs; a second fingerprint is a
// violation (shared or uninitialized state).

import { createHash } from "node:crypto";
import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { MeasureInput } from "../measure.ts";
import type { ProbeResult } from "../violations.ts";

const RUNS = 5;
const MAX_NEW_TOKENS = 32;
const TOP_K = 10;

export async function determinism(tool: ModelFileTool, { subject, prompts }: MeasureInput): Promise<ProbeResult> {
  const fingerprints = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    const hash = createHash("sha256");
    const generations = await tool.loadAndGenerate({ format: subject.format, quant: subject.quant }, prompts.map((p) => p.text), MAX_NEW_TOKENS, TOP_K);
    for (const g of generations) hash.update(JSON.stringify([g.tokens, g.topk.map((step) => step.map((e) => [e.token, e.logprob]))]));
    const key = hash.digest("hex");
    fingerprints.set(key, (fingerprints.get(key) ?? 0) + 1);
  }
  return { checked: RUNS, violations: fingerprints.size === 1 ? [] : [`${RUNS} runs gave ${fingerprints.size} different outputs: ${[...fingerprints.values()].join(" + ")}`] };
}
