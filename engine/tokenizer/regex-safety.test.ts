// Pre-tokenizer regexes are checked before they are compiled: the patterns Hugging Face ships
// pass; Rust-only syntax, unbalanced groups, deep nesting and the shapes that backtrack
// exponentially are refused with TOKENIZER_UNSAFE_REGEX (D2 of issue 19).

import { describe, expect, it } from "vitest";
import { checkRegexSafety, MAX_GROUP_DEPTH } from "./regex-safety.ts";
import { GPT2_PATTERN } from "./hf-regex.ts";

const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const refusal = (pattern: string) => {
  try {
    checkRegexSafety(pattern);
    return null;
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
};

describe("checkRegexSafety", () => {
  it.each([
    ["GPT-2", GPT2_PATTERN],
    ["Llama 3", LLAMA3],
    ["Qwen2", QWEN2],
    ["digits", "\\p{N}{1,3}"],
    ["a class with ( and |", "[(|)]+"],
    ["two repeated groups, each once", "(?:\\s)+(?:x)*"],
  ])("accepts %s", (_, pattern) => {
    expect(refusal(pattern)).toBeNull();
  });

  it.each([
    ["(", /unbalanced '\('/],
    ["a)", /unbalanced '\)'/],
    ["[abc", /unterminated character class/],
    ["(?P<name>a)", /named-group/],
    ["(?>a+)", /atomic/],
    ["a++", /possessive/],
    ["a{2,}+", /possessive/],
    ["(?:ab)*+", /possessive/],
    ["(a+)+", /repetition/],
    ["(.*.*)*;", /repetition/],
    ["(a|a)*b", /alternation/],
    ["((a)+)*", /repetition/],
    ["(a+){2,40};", /repetition/],
    ["(a|b){2}", /alternation/],
    ["a*a*a*a*a*a*a*;", /more than 2 unbounded repetitions/],
    ["x(a*b*c*)", /more than 2 unbounded repetitions/],
    ["(?:x\\d{2,})+", /repetition/],
    [`${"(".repeat(MAX_GROUP_DEPTH + 1)}a${")".repeat(MAX_GROUP_DEPTH + 1)}`, /nested more than/],
    ["a".repeat(5000), /more than the 4096 allowed/],
  ])("refuses %s", (pattern, why) => {
    const r = refusal(pattern);
    expect(r).toMatch(/^TOKENIZER_UNSAFE_REGEX: /);
    expect(r).toMatch(why);
  });
});
