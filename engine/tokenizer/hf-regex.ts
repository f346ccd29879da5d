// Hugging Face tokenizers use Rust's regex (via onig/fancy-regex) with Unicode semantics.
// JavaScript differs in two places these patterns use: `\s` (JS adds U+FEFF and omits U+0085)
// and inline flag groups `(?i:...)` (not supported on Node 20). This rewrites a pattern so the
// JavaScript RegExp (flags "gu") matches exactly what the Rust one does.

// Unicode White_Space, as Rust's \s.
import { RefuteError } from "../../core/errors.ts";
import { checkRegexSafety } from "./regex-safety.ts";

const WHITESPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

function caseInsensitive(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "\\") {
      out += ch + body[++i];
      continue;
    }
    if (ch === "[") throw new RefuteError("TOKENIZER_UNSUPPORTED_REGEX", `a character class inside (?i:...) is not supported: ${body}`, { pattern: body });
    out += /[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch;
  }
  return out;
}

function expandInlineCaseGroups(pattern: string): string {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith("(?i:", i)) {
      let depth = 1;
      let j = i + 4;
      for (; j < pattern.length && depth > 0; j++) {
        if (pattern[j] === "\\") j++;
        else if (pattern[j] === "(") depth++;
        else if (pattern[j] === ")") depth--;
      }
      out += `(?:${caseInsensitive(pattern.slice(i + 4, j - 1))})`;
      i = j;
      continue;
    }
    out += pattern[i];
    i++;
  }
  return out;
}

function rewriteWhitespace(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      const next = pattern[i + 1];
      i++;
      if (next === "s") out += inClass ? WHITESPACE : `[${WHITESPACE}]`;
      else if (next === "S") {
        if (inClass) throw new RefuteError("TOKENIZER_UNSUPPORTED_REGEX", "\\S inside a character class is not supported", { pattern });
        out += `[^${WHITESPACE}]`;
      } else out += ch + next;
      continue;
    }
    if (ch === "[") inClass = true;
    if (ch === "]") inClass = false;
    out += ch;
  }
  return out;
}

/** The pattern as a JavaScript RegExp, once checkRegexSafety accepts it; a pattern JavaScript cannot compile is TOKENIZER_UNSAFE_REGEX. */
export function hfRegex(pattern: string): RegExp {
  checkRegexSafety(pattern);
  const translated = rewriteWhitespace(expandInlineCaseGroups(pattern));
  try {
    return new RegExp(translated, "gu");
  } catch (e) {
    throw new RefuteError("TOKENIZER_UNSAFE_REGEX", `pre-tokenizer regex ${JSON.stringify(pattern.slice(0, 120))}: not a valid regular expression (${(e as Error).message})`, { field: "pre_tokenizer.pattern.Regex", pattern: pattern.slice(0, 4096) });
  }
}

export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
