// chat-render: the subject's render of each reference conversation with its model's own chat
// template (as the subject has the model: a converted file must carry the template), against
// Python's Jinja2 rendering the template as transformers' apply_chat_template does
// (oracle/chat/, scripts/gen_chat_reference.py). Value: the conversations rendered
// differently, byte for byte; a subject whose model has no template differs on all of them.

import { defineMeasure, NO_PARAMS } from "./measure.ts";

const MAX_SHOWN = 60;

/** Where two renders first part, with a little of each from there. */
function firstDifference(expected: string, observed: string): string {
  let i = 0;
  while (i < expected.length && i < observed.length && expected[i] === observed[i]) i++;
  const show = (s: string) => JSON.stringify(s.slice(i, i + MAX_SHOWN));
  return `at character ${i}: ${show(observed)} where Jinja2 has ${show(expected)}`;
}

export const chatRender = defineMeasure({
  name: "chat-render",
  description: "conversations whose render with the model's chat template differs from Python's Jinja2 render (transformers' apply_chat_template), byte for byte",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["chat-template"],
  params: NO_PARAMS,
  quantity: () => "conversations rendered differently",
  async observe(input) {
    const { cases, source } = await input.oracleChat(input.subject.model);
    const renderable = cases.filter((c) => c.rendered !== null);
    const notes: string[] = [];
    for (const [i, c] of renderable.entries()) {
      const observed = await input.applyChatTemplate(input.subject, c.messages, c.addGenerationPrompt);
      const label = `conversation ${i + 1} (${c.messages.length} messages, add_generation_prompt ${c.addGenerationPrompt})`;
      if (observed === null) notes.push(`${label}: the subject's model has no chat template`);
      else if (observed !== c.rendered) notes.push(`${label}: ${firstDifference(c.rendered as string, observed)}`);
    }
    const summary = notes.length === 0 ? `all ${renderable.length} conversations of ${source} rendered as Jinja2 renders them` : `${notes.length} of ${renderable.length} conversations differ; first ${notes[0]}`;
    return { value: notes.length, summary, evidence: { notes: notes.slice(0, 20) } };
  },
});
