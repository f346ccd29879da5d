// SentencePiece-style BPE on a hand-made vocabulary: the pair whose merge scores highest goes
// first (ties: the leftmost), spaces are "▁" with one before a segment's start, and a character
// the vocabulary lacks is spelled in its UTF-8 bytes' <0xNN> tokens.

import { describe, expect, it } from "vitest";
import { encodeSpm, spmEscape, type SpmModel, spmTokenBytes } from "./spm.ts";

const TOKENS = ["<unk>", "▁", "a", "b", "c", "ab", "bc", "abc", "▁a", "<0xC3>", "<0xA9>"];
const SCORES = [0, -1, -2, -2, -2, -5, -3, -1, -4, 0, 0];

function model(scores = SCORES, without: string[] = []): SpmModel {
  const vocab = new Map(TOKENS.map((t, i) => [t, i] as [string, number]).filter(([t]) => !without.includes(t)));
  return { vocab, scores, addSpacePrefix: true, byteTokens: new Map([[0xc3, 9], [0xa9, 10]]), unknown: 0 };
}
const ids = (...tokens: string[]) => tokens.map((t) => TOKENS.indexOf(t));

describe("encodeSpm", () => {
  it("merges the highest-scoring pair first: b+c (-3) before a+b (-5), then a+bc into abc", () => {
    expect(encodeSpm(model(), "abc")).toEqual(ids("abc"));
  });

  it("without abc, the order decides: bc (-3) over ab (-5) gives a + bc; ab scored -1 gives ab + c", () => {
    expect(encodeSpm(model(SCORES, ["abc"]), "abc")).toEqual(ids("a", "bc"));
    const scores = [...SCORES];
    scores[5] = -1; // ab
    expect(encodeSpm(model(scores, ["abc"]), "abc")).toEqual(ids("ab", "c"));
  });

  it("takes the leftmost of equally scored pairs", () => {
    const scores = [...SCORES];
    scores[5] = -3; // ab, as bc
    expect(encodeSpm(model(scores, ["abc"]), "abc")).toEqual(ids("ab", "c"));
  });

  it("escapes spaces as ▁ and prefixes one where the vocabulary adds a prefix", () => {
    const m = model();
    expect(spmEscape(m, "a b")).toBe("▁a▁b");
    expect(spmEscape({ ...m, addSpacePrefix: false }, "a b")).toBe("a▁b");
    expect(encodeSpm(m, spmEscape(m, "a"))).toEqual(ids("▁a"));
  });

  it("spells a missing character in byte tokens, and one without byte tokens as unknown", () => {
    expect(encodeSpm(model(), "é")).toEqual(ids("<0xC3>", "<0xA9>"));
    expect(encodeSpm(model(), "z")).toEqual(ids("<unk>"));
  });

  it("decodes byte tokens to their byte and ▁ to a space", () => {
    const out: number[] = [];
    for (const t of ["▁a", "<0xC3>", "<0xA9>"]) spmTokenBytes(t, out);
    expect(new TextDecoder().decode(Uint8Array.from(out))).toBe(" aé");
  });
});
