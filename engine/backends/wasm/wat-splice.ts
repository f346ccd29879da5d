// Replaces named functions of a WebAssembly text module with other definitions of the same
// names: how the relaxed-SIMD kernels (kernels-relaxed.wat) take the place of the base ones in
// kernels.wat on runtimes that validate them, while everything else (exports, the table of
// products, the vector kernels) stays one text. A replacement must name a function the base
// has, or be a helper that another replacement calls (added at the end of the module): a typo
// fails loudly instead of adding an unused function.

import { RefuteError } from "../../../core/errors.ts";

/** Index just past the s-expression opening at `start` ("(" there), skipping ;; comments and strings. */
function formEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === ";" && text[i + 1] === ";") {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol;
    } else if (c === '"') {
      i = text.indexOf('"', i + 1);
      if (i < 0) break;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
  }
  throw new RefuteError("WAT_SPLICE", `unbalanced form at offset ${start}`, { found: text.slice(start, start + 40) });
}

/** The top-level `(func $name ...)` forms of a text, by name, in order. */
export function namedFunctions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\(func (\$[\w.]+)/g)) {
    const start = m.index;
    out.set(m[1], text.slice(start, formEnd(text, start)));
  }
  return out;
}

/** `base` with each function of `replacements` put where the base's function of that name was, and the helpers they call that the base lacks added at its end. */
export function replaceFunctions(base: string, replacements: string): string {
  let out = base;
  const helpers: string[] = [];
  for (const [name, form] of namedFunctions(replacements)) {
    const at = out.indexOf(`(func ${name} `);
    if (at >= 0) out = out.slice(0, at) + form + out.slice(formEnd(out, at));
    else if (new RegExp(`\\(call \\${name}[\\s)]`).test(replacements)) helpers.push(form);
    else throw new RefuteError("WAT_SPLICE", `replacement ${name} names no function of the base module, and no replacement calls it`, { expected: name });
  }
  if (helpers.length === 0) return out;
  const end = out.lastIndexOf(")");
  return `${out.slice(0, end)}\n  ${helpers.join("\n\n  ")}\n${out.slice(end)}`;
}
