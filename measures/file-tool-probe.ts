// file-tool-probe: one of the tools probes of measures/file-tools/ on the subject's file
// commands (capability `file-commands`): what inspect, validate, tensors, diff and list say of
// the files the subject's converter writes, against config.json, the families' tensor sets,
// the committed corpus of damaged files and the zoo on disk. The observation is the number of
// violations; the claims predict zero. The probes load when a check observes, so validating
// claims loads no runtime.

import type { Format, Quant } from "../core/vocabulary.ts";
import type { FileCommands } from "../runtimes/file-commands.ts";
import { defineMeasure, paramsSchema } from "./measure.ts";
import { violationsObservation } from "./violations.ts";

export const FILE_TOOL_PROBE_NAMES = ["inspect-architecture", "identify-family", "validate-accepts", "validate-corpus", "tensor-dtypes", "tensor-tree", "tensor-stats", "diff-dtype-only", "gguf-metadata", "list-inventory"] as const;
type ProbeName = (typeof FILE_TOOL_PROBE_NAMES)[number];

interface Params {
  probe: ProbeName;
  embedding?: string;
  head?: string;
  against?: Quant;
}

const PARAMS = paramsSchema<Params>({
  type: "object",
  additionalProperties: false,
  properties: {
    probe: { type: "string", enum: [...FILE_TOOL_PROBE_NAMES], description: "which tools probe (measures/file-tools/index.ts maps each to the seed's suite)" },
    embedding: { type: "string", nullable: true, description: "tensor-dtypes: the token embedding's dtype in a quantized mix (default q8_0)" },
    head: { type: "string", nullable: true, description: "tensor-dtypes: the output head's dtype in a quantized mix (default q8_0)" },
    against: { type: "string", enum: ["f32", "bf16", "q8_0", "q4_0", "q4_k"], nullable: true, description: "diff-dtype-only: the quantization the subject's file is diffed against (default q8_0)" },
  },
  required: ["probe"],
});

export const fileToolProbe = defineMeasure<Params>({
  name: "file-tool-probe",
  description: "violations a tools probe finds in what the subject's inspect, validate, tensors, diff and list commands report of the files its converter writes",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["file-commands"],
  params: PARAMS,
  quantity: () => "violations",
  async observe(input, params) {
    const { FILE_TOOL_PROBES } = await import("./file-tools/index.ts");
    const probe = FILE_TOOL_PROBES[params.probe];
    const written: string[] = [];
    const result = await input.fileCommands(input.subject, (tools) => {
      // what ran, for the evidence: the commands, and who wrote each file they read
      written.push(`commands: ${tools.description}`);
      const recording: FileCommands = Object.assign(Object.create(tools) as FileCommands, {
        modelFile: async (format: Format, quant: Quant) => {
          const file = await tools.modelFile(format, quant);
          written.push(`${format} ${quant} file written by ${file.writtenBy}`);
          return file;
        },
      });
      return probe(recording, input.subject, params);
    });
    const observation = violationsObservation(result);
    return { ...observation, evidence: { ...observation.evidence, notes: [...written, ...(observation.evidence?.notes ?? [])] } };
  },
});
