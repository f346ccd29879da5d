// The three forms of a choice's tokens, each read from a body written by hand as the servers
// write it (llama-server's logprobs.content, OpenAI's legacy arrays with vLLM's token_id:N
// names, bare ids), and which form each reader takes: the openai runtime the first that names
// every id, the serving client the first there is.

import { describe, expect, it } from "vitest";
import { choiceTokenForms } from "./openai-choice.ts";
import { responseTokens } from "./openai.ts";

const content = [
  { id: 7, token: " Paris", logprob: -0.25, top_logprobs: [{ id: 7, token: " Paris", logprob: -0.25 }, { id: 9, token: " Lyon", logprob: -2 }] },
  { id: 3, token: ".", logprob: -1 },
];
const legacy = { tokens: ["token_id:7", "token_id:3"], token_logprobs: [-0.5, -1], top_logprobs: [{ "token_id:2": -1.5, "token_id:7": -0.5 }, null] };

describe("choiceTokenForms", () => {
  it("reads logprobs.content: ids, texts, logprobs and alternatives, null where a token has none", () => {
    expect(choiceTokenForms({ logprobs: { content } })).toEqual([
      [
        { id: 7, text: " Paris", logprob: -0.25, top: [{ id: 7, text: " Paris", logprob: -0.25 }, { id: 9, text: " Lyon", logprob: -2 }] },
        { id: 3, text: ".", logprob: -1, top: null },
      ],
    ]);
  });

  it("reads the legacy arrays: token_id:N names as ids, alternatives most likely first, a name that is not one an unknown id", () => {
    expect(choiceTokenForms({ logprobs: { ...legacy, tokens: ["token_id:7", " x"] } })).toEqual([
      [
        { id: 7, text: "token_id:7", logprob: -0.5, top: [{ id: 7, text: "token_id:7", logprob: -0.5 }, { id: 2, text: "token_id:2", logprob: -1.5 }] },
        { id: null, text: " x", logprob: -1, top: null },
      ],
    ]);
  });

  it("gives every form present in the order content, legacy, bare ids; bare ids only where all are integers", () => {
    const forms = choiceTokenForms({ logprobs: { content, ...legacy }, tokens: [7, 3] });
    expect(forms.map((f) => f.map((t) => t.id))).toEqual([
      [7, 3],
      [7, 3],
      [7, 3],
    ]);
    expect(choiceTokenForms({ tokens: [7, "3"] })).toEqual([]);
    expect(choiceTokenForms({ text: "Paris" })).toEqual([]);
  });

  it("an entry of content that is not a record is a token with nothing known; an alternative that is not one is dropped", () => {
    expect(choiceTokenForms({ logprobs: { content: [null, { id: 1, logprob: -1, top_logprobs: [null, { id: 1, logprob: -1 }] }] } })).toEqual([
      [
        { id: null, text: null, logprob: null, top: null },
        { id: 1, text: null, logprob: -1, top: [{ id: 1, text: null, logprob: -1 }] },
      ],
    ]);
  });
});

describe("responseTokens (the openai runtime: every id or none)", () => {
  it("takes the first form that names every id: content without ids gives way to the legacy arrays", () => {
    const noIds = content.map(({ id: _, ...rest }) => rest);
    expect(responseTokens({ choices: [{ logprobs: { content: noIds, ...legacy } }] })?.map((t) => t.id)).toEqual([7, 3]);
  });

  it("null where no form names every id (a text-only server); [] for an empty content list; a body with no choice throws", () => {
    expect(responseTokens({ choices: [{ text: "Paris", logprobs: { content: [{ token: " Paris", logprob: -1 }] } }] })).toBeNull();
    expect(responseTokens({ choices: [{ logprobs: { content: [] } }] })).toEqual([]);
    expect(() => responseTokens({ error: "x" })).toThrow(/not a completion response/);
  });
});
