// generation-sanity: what any subject's greedy output must satisfy, with no oracle at all, so a
// foreign model on a foreign runtime can be questioned the moment it is pointed at:
//
//   non-empty        every prompt gets at least one token and some text
//   clean-text       no NUL and no U+FFFD in the text (one U+FFFD at its very end is a
//                    multi-byte character cut by max_tokens, and allowed)
//   repetition       the longest run of one token repeated back to back (a degenerate model
//                    loops on one token); the claim bounds it
//   finite-logprobs  every reported log p (each step's top-k) finite and at most 0
//   length           no generation longer than max_new_tokens
//   repeatable       `runs` greedy generations of each prompt, each asked of the subject anew,
//                    give the same tokens
//
// Each observes a count of violations (repetition: the longest run), with the worst cases in
// the evidence.

import type { JSONSchemaType } from "ajv";
import type { Generation } from "../runtimes/runtime.ts";
import { defineMeasure, type MeasureInput, type Observation, paramsSchema } from "./measure.ts";

const PROPERTIES = ["non-empty", "clean-text", "repetition", "finite-logprobs", "length", "repeatable"] as const;
type Property = (typeof PROPERTIES)[number];

interface SanityParams {
  property: Property;
  runs: number;
}

const SANITY_PARAMS = paramsSchema<SanityParams>({
  type: "object",
  additionalProperties: false,
  properties: {
    property: { type: "string", enum: [...PROPERTIES], description: "which property of the generations: non-empty, clean-text, repetition, finite-logprobs, length, repeatable" },
    runs: { type: "integer", minimum: 2, maximum: 10, default: 3, description: "with property: repeatable, how many greedy generations of each prompt must agree" },
  },
  required: ["property", "runs"],
} as JSONSchemaType<SanityParams>);

/** The longest run of one token repeated back to back, and where it starts. */
export function longestRun(tokens: readonly number[]): { length: number; token: number | null; at: number } {
  let best = { length: 0, token: null as number | null, at: 0 };
  let start = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && i > start && tokens[i] === tokens[start]) continue;
    if (i - start > best.length) best = { length: i - start, token: tokens[start], at: start };
    start = i;
  }
  return best;
}

/** NUL and U+FFFD characters of the text, a single trailing U+FFFD (a character cut by the length limit) excepted. */
export function badCharacters(text: string): number {
  const body = text.endsWith("\uFFFD") ? text.slice(0, -1) : text;
  let n = 0;
  for (const ch of body) if (ch === "\u0000" || ch === "\uFFFD") n++;
  return n;
}

const badLogprob = (lp: number) => !Number.isFinite(lp) || lp > 1e-4;

type Violations = { count: number; notes: string[]; checked: number };

async function generations(input: MeasureInput): Promise<[string, Generation][]> {
  const out: [string, Generation][] = [];
  for (const prompt of input.prompts) out.push([prompt.name, await input.generate(input.subject, prompt)]);
  return out;
}

const quoted = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);

async function violations(input: MeasureInput, params: SanityParams): Promise<Violations> {
  const notes: string[] = [];
  let count = 0;
  const add = (n: number, ...found: string[]) => {
    count += n;
    notes.push(...found.slice(0, 5));
  };
  const gens = await generations(input);
  for (const [name, g] of gens) {
    switch (params.property) {
      case "non-empty":
        if (g.tokens.length === 0 || g.text.length === 0) add(1, `${name}: ${g.tokens.length} tokens, text ${quoted(g.text)}`);
        break;
      case "clean-text": {
        const bad = badCharacters(g.text);
        if (bad > 0) add(bad, `${name}: ${bad} NUL or U+FFFD in ${quoted(g.text)}`);
        break;
      }
      case "finite-logprobs": {
        if (g.topk.length === 0 && g.tokens.length > 0) throw new Error(`the subject reports no log-probabilities with its generation of ${name}`);
        const bad = g.topk.flatMap((step, i) => step.filter((e) => badLogprob(e.logprob)).map((e) => `${name} step ${i} token ${e.token}: log p ${e.logprob}`));
        add(bad.length, ...bad);
        break;
      }
      case "length":
        if (g.tokens.length > input.maxNewTokens) add(1, `${name}: ${g.tokens.length} tokens for max_new_tokens ${input.maxNewTokens}`);
        break;
      case "repeatable":
        for (let run = 1; run < params.runs; run++) {
          const again = await input.generateAgain(input.subject, input.prompts.find((p) => p.name === name)!, run);
          const at = g.tokens.findIndex((t, i) => again.tokens[i] !== t);
          if (at >= 0 || again.tokens.length !== g.tokens.length) add(1, `${name}: run ${run + 1} differs from run 1 at token ${at >= 0 ? at : Math.min(g.tokens.length, again.tokens.length)}`);
        }
        break;
      case "repetition":
        break; // observed as the longest run, below
    }
  }
  return { count, notes, checked: gens.length };
}

function repetition(gens: [string, Generation][]): Observation {
  const runs = gens.map(([name, g]) => ({ name, ...longestRun(g.tokens) }));
  const worst = runs.reduce((a, b) => (b.length > a.length ? b : a));
  return {
    value: worst.length,
    summary: `longest run of one token: ${worst.length} (token ${worst.token} from step ${worst.at} of ${worst.name}) over ${gens.length} prompts`,
    evidence: { notes: runs.map((r) => `${r.name}: longest run ${r.length} of token ${r.token} from step ${r.at}`) },
  };
}

export const generationSanity = defineMeasure<SanityParams>({
  name: "generation-sanity",
  description: "oracle-free properties of the subject's greedy generations: non-empty, clean text, repetition, finite log-probabilities, length, repeatability",
  input: "prompts",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["generate"],
  params: SANITY_PARAMS,
  quantity: (p) => (p.property === "repetition" ? "longest run of one token" : `${p.property} violations`),
  async observe(input, params) {
    if (params.property === "repetition") return repetition(await generations(input));
    const v = await violations(input, params);
    return {
      value: v.count,
      summary: v.count === 0 ? `no ${params.property} violation over ${v.checked} prompts` : `${v.count} ${params.property} violation${v.count > 1 ? "s" : ""}: ${v.notes[0]}`,
      evidence: { notes: v.notes },
    };
  },
});
