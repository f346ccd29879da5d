// The kernels' text rewritten for a 64-bit memory (the memory64 proposal: Node 24), so that a
// model larger than 4 GiB fits in one memory. The kernels keep their 32-bit arithmetic; what
// changes is how an address reaches memory:
//
//   - a weight parameter ($w, $bias) arrives in units of 16 bytes (an i32 reaches 64 GiB);
//     the function keeps the byte address in an i64 local `$w.base`, sets $w to 0, and every
//     access through a pointer derived from $w (a local set from an expression that reads it,
//     transitively) reads base + the 32-bit offset it computed: one matrix stays under 4 GiB.
//   - every other access (activations, outputs, scratch, the f16 table) is its 32-bit address
//     zero-extended: those buffers live below 4 GiB (kernels.ts keeps them there).
//
// "Derived" is decided on the text: a value read from memory is data, not a pointer, so the
// f16 table's index (a load through $p) is not derived from $p. A store through a weight
// pointer, or an address derived from two weight parameters, is refused: the kernels never do
// either, and the rewrite could not say which base it meant.

import { RefuteError } from "../../../core/errors.ts";

type Node = string | Node[];

/** The parameters that carry weights: in units of 16 bytes in the 64-bit variant. */
export const WEIGHT_PARAMS = ["$w", "$bias"] as const;

const MEMORY_OP = /^(i32|i64|f32|f64|v128)\.(load|store)[0-9a-z_]*$/;
const IMMEDIATE = /^(offset|align)=/;

function fail(message: string, found?: string): never {
  throw new RefuteError("WAT_MEMORY64", message, found === undefined ? {} : { found });
}

/** Tokens of a WebAssembly text: parentheses, strings, atoms; comments dropped. */
function tokens(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === ";" && text[i + 1] === ";") {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol;
    } else if (c === "(" && text[i + 1] === ";") {
      const end = text.indexOf(";)", i);
      if (end < 0) fail("unterminated block comment", text.slice(i, i + 40));
      i = end + 2;
    } else if (c === "(" || c === ")") {
      out.push(c);
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) fail("unterminated string", text.slice(i, i + 40));
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()";]/.test(text[j])) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

function parse(text: string): Node[] {
  const stack: Node[][] = [[]];
  for (const t of tokens(text)) {
    if (t === "(") stack.push([]);
    else if (t === ")") {
      const done = stack.pop();
      if (!done || stack.length === 0) fail("unbalanced parentheses");
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(t);
  }
  if (stack.length !== 1) fail("unbalanced parentheses");
  return stack[0];
}

const print = (n: Node): string => (typeof n === "string" ? n : `(${n.map(print).join(" ")})`);
const head = (n: Node): string | undefined => (Array.isArray(n) && typeof n[0] === "string" ? n[0] : undefined);

/** The locals an expression reads, not counting those read only to load a value from memory. */
function pointerLocals(n: Node, into = new Set<string>()): Set<string> {
  if (!Array.isArray(n)) return into;
  const h = head(n);
  if (h !== undefined && MEMORY_OP.test(h) && h.includes("load")) return into;
  if ((h === "local.get" || h === "local.tee") && typeof n[1] === "string") into.add(n[1]);
  for (const child of n.slice(1)) pointerLocals(child, into);
  return into;
}

/** Every (local.set L E) and (local.tee L E) of a function, as [L, E]. */
function assignments(n: Node, into: [string, Node][] = []): [string, Node][] {
  if (!Array.isArray(n)) return into;
  const h = head(n);
  if ((h === "local.set" || h === "local.tee") && typeof n[1] === "string" && n[2] !== undefined) into.push([n[1], n[2]]);
  for (const child of n) assignments(child, into);
  return into;
}

/** For each local derived from a weight parameter, that parameter (a fixpoint over the assignments). */
function weightOrigins(fn: Node[], params: string[]): Map<string, string> {
  const origin = new Map(params.map((p) => [p, p]));
  const sets = assignments(fn);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [local, value] of sets) {
      for (const read of pointerLocals(value)) {
        const from = origin.get(read);
        if (from === undefined || local === read) continue;
        const had = origin.get(local);
        if (had === undefined) {
          origin.set(local, from);
          changed = true;
        } else if (had !== from) fail(`${local} is derived from both ${had} and ${from}`);
      }
    }
  }
  return origin;
}

const zeroExtend = (address: Node): Node => ["i64.extend_i32_u", address];
const baseOf = (param: string) => `${param}.base`;

/** One memory access with its address (the first operand) widened to i64. */
function widenAccess(n: Node[], origin: Map<string, string>, used: Set<string>): Node[] {
  const at = n.findIndex((c, i) => i > 0 && Array.isArray(c));
  if (at < 0) fail(`${head(n)}: the rewrite needs folded operands`, print(n));
  if (n.slice(1, at).some((c) => typeof c !== "string" || !IMMEDIATE.test(c))) fail(`${head(n)}: a memory index or other immediate the rewrite does not know`, print(n));
  const address = n[at];
  const bases = new Set([...pointerLocals(address)].flatMap((l) => (origin.has(l) ? [origin.get(l) as string] : [])));
  if (bases.size > 1) fail(`an address derived from ${[...bases].join(" and ")}`, print(n));
  let wide = zeroExtend(rewrite(address, origin, used));
  if (bases.size === 1) {
    if ((head(n) as string).includes("store")) fail("a store through a weight pointer", print(n));
    const [param] = bases;
    used.add(param);
    wide = ["i64.add", ["local.get", baseOf(param)], wide];
  }
  return [...n.slice(0, at), wide, ...n.slice(at + 1).map((c) => rewrite(c, origin, used))];
}

function rewrite(n: Node, origin: Map<string, string>, used: Set<string>): Node {
  if (!Array.isArray(n)) return n;
  const h = head(n);
  if (h !== undefined && MEMORY_OP.test(h)) return widenAccess(n, origin, used);
  return n.map((c) => rewrite(c, origin, used));
}

const isDeclaration = (n: Node) => ["export", "param", "result", "local", "type"].includes(head(n) ?? "");

/** A function with its accesses widened and, for each weight parameter it reads through, the base set up first. */
function widenFunction(fn: Node[]): Node[] {
  const params = fn.filter((c) => head(c) === "param" && typeof (c as Node[])[1] === "string").map((c) => (c as Node[])[1] as string);
  const origin = weightOrigins(fn, params.filter((p) => (WEIGHT_PARAMS as readonly string[]).includes(p)));
  const used = new Set<string>();
  const body = fn.map((c, i) => (i === 0 || isDeclaration(c) ? c : rewrite(c, origin, used)));
  const split = body.findIndex((c, i) => i > 0 && typeof c !== "string" && !isDeclaration(c));
  const at = split < 0 ? body.length : split;
  const order = WEIGHT_PARAMS.filter((p) => used.has(p));
  const locals: Node[] = order.map((p) => ["local", baseOf(p), "i64"]);
  const setup: Node[] = order.flatMap((p): Node[] => [
    ["local.set", baseOf(p), ["i64.shl", ["i64.extend_i32_u", ["local.get", p]], ["i64.const", "4"]]],
    ["local.set", p, ["i32.const", "0"]],
  ]);
  return [...body.slice(0, at), ...locals, ...setup, ...body.slice(at)];
}

/** The memory import with a 64-bit index and `maxPages` pages of 64 KiB at most. */
function widenMemory(n: Node[], maxPages: number): Node[] {
  const limits = n.slice(1).filter((c) => typeof c === "string" && /^\d+$/.test(c));
  if (limits.length !== 2 || n[n.length - 1] !== "shared") fail("the memory must be (memory MIN MAX shared)", print(n));
  return ["memory", "i64", limits[0], String(maxPages), "shared"];
}

/** The module text for a 64-bit memory of at most `maxPages` pages (the kernels' imported memory). */
export function memory64Text(text: string, maxPages: number): string {
  const [module, ...rest] = parse(text);
  if (head(module) !== "module" || rest.length > 0) fail("expected one (module ...)");
  const out = (module as Node[]).map((field) => {
    if (head(field) === "func") return widenFunction(field as Node[]);
    if (head(field) === "import") return (field as Node[]).map((c) => (head(c) === "memory" ? widenMemory(c as Node[], maxPages) : c));
    return field;
  });
  return print(out);
}
