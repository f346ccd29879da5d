// A pre-tokenizer regex from tokenizer.json is untrusted input that JavaScript's backtracking
// engine runs on every prompt. Before one is compiled it must be (1) bounded in length and
// group nesting, (2) free of the Rust/Oniguruma syntax JavaScript reads differently or not at
// all (named groups `(?P<`, atomic groups `(?>`, possessive quantifiers `*+ ++ ?+ }+`), and
// (3) free of the shapes that make backtracking explode: a group repeated more than once
// (`*`, `+`, `{n,}`, `{m,n}` with n > 1) whose body itself repeats or alternates, as in
// `(a+)+`, `(.*.*)*`, `(a|a)*` or `(a+){2,40}` (exponential), and more than two unbounded
// repetitions in one alternative, as in `a*a*a*a*;` (a polynomial of their number's degree).
// Every pattern of the tokenizers Hugging Face ships (GPT-2's, Llama 3's, Qwen2's) passes: its
// alternations are at the top level or in groups matched once, and no alternative repeats
// more than twice without bound, so a piece of n characters costs at most about n^2 steps.
// What fails is refused with a coded error naming the construct, never compiled.

import { RefuteError } from "../../core/errors.ts";

export const MAX_PATTERN_LENGTH = 4096;
export const MAX_GROUP_DEPTH = 32;
export const MAX_UNBOUNDED_PER_ALTERNATIVE = 2;

function refuse(pattern: string, why: string): never {
  throw new RefuteError("TOKENIZER_UNSAFE_REGEX", `pre-tokenizer regex ${JSON.stringify(pattern.length > 120 ? `${pattern.slice(0, 120)}...` : pattern)}: ${why}`, { field: "pre_tokenizer.pattern.Regex", pattern: pattern.slice(0, 4096) });
}

/** What a group's body holds, as far as backtracking is concerned. */
interface GroupState {
  repeats: boolean; // a quantifier inside (bounded or not) or a nested group that repeats
  alternates: boolean; // a `|` directly inside
  unbounded: number; // unbounded quantifiers in the current alternative
}

const group = (): GroupState => ({ repeats: false, alternates: false, unbounded: 0 });

function countUnbounded(pattern: string, state: GroupState): void {
  state.unbounded++;
  if (state.unbounded > MAX_UNBOUNDED_PER_ALTERNATIVE) {
    refuse(pattern, `more than ${MAX_UNBOUNDED_PER_ALTERNATIVE} unbounded repetitions in one alternative (polynomial backtracking, as in a*a*a*b)`);
  }
}

/** Length of the quantifier at i (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`), 0 if none; and whether it is unbounded or repeats at all. */
function quantifierAt(pattern: string, i: number): { length: number; unbounded: boolean; repeats: boolean } {
  const ch = pattern[i];
  if (ch === "*" || ch === "+") return { length: 1, unbounded: true, repeats: true };
  if (ch === "?") return { length: 1, unbounded: false, repeats: false };
  if (ch !== "{") return { length: 0, unbounded: false, repeats: false };
  const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
  if (!m) return { length: 0, unbounded: false, repeats: false };
  const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Infinity : Number(m[3]);
  return { length: m[0].length, unbounded: max === Infinity, repeats: max > 1 };
}

/** Throws TOKENIZER_UNSAFE_REGEX when the pattern is too long, too deep, Rust-only, or can backtrack exponentially. */
export function checkRegexSafety(pattern: string): void {
  if (pattern.length > MAX_PATTERN_LENGTH) refuse(pattern, `${pattern.length} characters, more than the ${MAX_PATTERN_LENGTH} allowed`);
  const stack: GroupState[] = [group()];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++; // a leading ] is a literal
      continue;
    }
    if (ch === "(") {
      if (pattern.startsWith("(?P<", i) || pattern.startsWith("(?P=", i)) refuse(pattern, "Python/Rust named-group syntax (?P<...>) is not JavaScript's");
      if (pattern.startsWith("(?>", i)) refuse(pattern, "atomic groups (?>...) are not supported");
      stack.push(group());
      if (stack.length - 1 > MAX_GROUP_DEPTH) refuse(pattern, `groups nested more than ${MAX_GROUP_DEPTH} deep`);
      continue;
    }
    if (ch === "|") {
      stack[stack.length - 1].alternates = true;
      stack[stack.length - 1].unbounded = 0;
      continue;
    }
    const q = quantifierAt(pattern, i);
    let closed: GroupState | null = null;
    if (ch === ")") {
      if (stack.length === 1) refuse(pattern, `unbalanced ')' at ${i}`);
      closed = stack.pop()!;
      const after = quantifierAt(pattern, i + 1);
      if (after.repeats && (closed.repeats || closed.alternates)) {
        refuse(pattern, `a repeated group contains a ${closed.repeats ? "repetition" : "alternation"} (exponential backtracking, as in (a+)+, (a|a)* or (a+){2,40})`);
      }
      if (closed.repeats || after.repeats) stack[stack.length - 1].repeats = true;
      if (after.unbounded) countUnbounded(pattern, stack[stack.length - 1]);
      if (after.length > 0 && pattern[i + 1 + after.length] === "+") refuse(pattern, `possessive quantifier ${pattern.slice(i + 1, i + 1 + after.length)}+ is not supported`);
      i += after.length; // the group's quantifier is read
      continue;
    }
    if (q.length > 0) {
      const next = pattern[i + q.length];
      if (next === "+") refuse(pattern, `possessive quantifier ${pattern.slice(i, i + q.length)}+ is not supported`);
      if (q.repeats) stack[stack.length - 1].repeats = true;
      if (q.unbounded) countUnbounded(pattern, stack[stack.length - 1]);
      i += q.length - 1;
    }
  }
  if (inClass) refuse(pattern, "unterminated character class");
  if (stack.length > 1) refuse(pattern, "unbalanced '('");
}
