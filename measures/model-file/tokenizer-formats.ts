// F-GT-005: the tokenizer survives every format. The tokenizers the SafeTensors checkpoint
// (tokenizer.json), the native file (its embedded tokenizer) and the GGUF file (its
// tokenizer.ggml.* metadata) carry all encode the oracle's tokenizer test strings to exactly
// the independent encoder's ids (oracle/tokenizer/<model>.json).

import type { Format } from "../../core/vocabulary.ts";
import type { ModelFileTool } from "../../runtimes/model-file-tool.ts";
import type { MeasureInput } from "../measure.ts";
import type { ProbeResult } from "../violations.ts";

const FORMATS: readonly Format[] = ["safetensors", "native", "gguf"];

export async function tokenizerFormats(tool: ModelFileTool, { subject, oracleTokenizer }: MeasureInput): Promise<ProbeResult> {
  const { cases } = await oracleTokenizer(subject.model);
  const violations: string[] = [];
  for (const format of FORMATS) {
    const encoded = await tool.encode({ format, quant: "f32" }, cases.map((c) => c.text));
    const wrong = cases.filter((c, i) => JSON.stringify(encoded[i]) !== JSON.stringify(c.ids));
    if (wrong.length) violations.push(`${format}: ${wrong.length}/${cases.length} strings encode differently, first ${JSON.stringify(wrong[0].text)}`);
  }
  return { checked: FORMATS.length * cases.length, violations };
}
