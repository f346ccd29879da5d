// tokenizer-vectors: the subject's own tokenization (its runtime's tokenize: the engine, llama.cpp,
// a server's /tokenize) of every test string of the model's vectors, each from Hugging Face's
// tokenizer: the oracle's records for the zoo (oracle/tokenizer/), the .gguf.inp/.gguf.out of
// llama.cpp's vocabulary files (llama-vocab:<name>). Value: the strings whose ids differ.

import { defineMeasure, NO_PARAMS } from "./measure.ts";

const quoted = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);

export const tokenizerVectors = defineMeasure({
  name: "tokenizer-vectors",
  description: "test strings whose ids from the subject's tokenizer differ from Hugging Face's (the oracle's vectors, or a llama.cpp vocabulary's)",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["tokenize"],
  params: NO_PARAMS,
  quantity: () => "strings tokenized differently",
  async observe(input) {
    const { cases, source } = await input.oracleTokenizer(input.subject.model);
    const notes: string[] = [];
    for (const c of cases) {
      const ids = await input.tokenize(input.subject, c.text);
      if (ids.join(" ") !== c.ids.join(" ")) notes.push(`${quoted(c.text)}: ${ids.join(" ")} where Hugging Face has ${c.ids.join(" ")}`);
    }
    const summary = notes.length === 0 ? `all ${cases.length} strings of ${source} tokenized as Hugging Face does` : `${notes.length} of ${cases.length} strings differ; first ${notes[0]}`;
    return { value: notes.length, summary, evidence: { notes: notes.slice(0, 20) } };
  },
});
