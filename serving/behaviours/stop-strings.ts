// Stop strings are honoured and left out: with a stop string taken from the middle of the
// greedy answer, the answer (whole and streamed) is the greedy text up to that string's first
// occurrence, without it, finish "stop". A server that ignores stop runs on; one that keeps
// the string in the answer breaks every client that parses it.

import { ask, type Behaviour, GREEDY, quoted } from "../behaviour.ts";

/** A stop string from the text: the word that starts after its first third (with its leading space), or null if none. */
export function stopStringIn(text: string): string | null {
  const m = /\s\S{2,}/.exec(text.slice(Math.floor(text.length / 3)));
  return m ? m[0].slice(0, 4) : null;
}

export const stopStrings: Behaviour = {
  name: "stop-strings",
  description: "the answer ends before the first occurrence of a stop string, without it, finish stop",
  needs: ["stop", "stream"],
  async run({ endpoint, prompts, maxTokens }) {
    const violations: string[] = [];
    const notes: string[] = [];
    let checked = 0;
    for (const prompt of prompts) {
      const free = (await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens })).text;
      const stop = stopStringIn(free);
      if (!stop) {
        notes.push(`${prompt.name}: its answer ${quoted(free)} has no word to stop at`);
        continue;
      }
      const expected = free.slice(0, free.indexOf(stop));
      for (const stream of [false, true]) {
        const a = await ask(endpoint, prompt, { ...GREEDY, max_tokens: maxTokens, stop: [stop] }, stream);
        checked++;
        const how = `${prompt.name}${stream ? " (streamed)" : ""}, stop ${quoted(stop)}`;
        if (a.text !== expected) violations.push(`${how}: ${quoted(a.text)}, expected ${quoted(expected)}`);
        if (a.finishReason !== "stop") violations.push(`${how}: finish ${a.finishReason}, expected stop`);
      }
    }
    if (checked === 0) violations.push("no prompt's answer gave a stop string: nothing was checked");
    return { violations, checked, notes };
  },
};
