import { describe, expect, it } from "vitest";
import { namedFunctions, replaceFunctions } from "./wat-splice.ts";

const BASE = `(module
  ;; a comment with a paren ( that is not a form
  (func $a (export "a") (result i32) (i32.const 1))
  (func $b (export "b (x)") (result i32) ;; (unbalanced in a comment
    (i32.add (i32.const 2) (i32.const 3)))
  (func $c (result i32) (i32.const 4)))`;

describe("replaceFunctions", () => {
  it("puts each replacement where its namesake was, leaving the rest byte for byte", () => {
    const out = replaceFunctions(BASE, `(func $b (export "b (x)") (result i32) (i32.const 9))`);
    expect(out).toBe(BASE.replace(/\(func \$b[\s\S]*?\(i32\.const 3\)\)\)/, `(func $b (export "b (x)") (result i32) (i32.const 9))`));
    expect([...namedFunctions(out).keys()]).toEqual(["$a", "$b", "$c"]);
    expect(namedFunctions(out).get("$c")).toBe("(func $c (result i32) (i32.const 4))");
  });

  it("adds a helper that a replacement calls and the base lacks, at the module's end", () => {
    const out = replaceFunctions(BASE, "(func $b (result i32) (call $half)) (func $half (result i32) (i32.const 5))");
    expect([...namedFunctions(out).keys()]).toEqual(["$a", "$b", "$c", "$half"]);
    expect(out.trimEnd().endsWith("(func $half (result i32) (i32.const 5))\n)")).toBe(true);
  });

  it("refuses a replacement that names no base function and that no replacement calls (WAT_SPLICE)", () => {
    expect(() => replaceFunctions(BASE, "(func $missing (nop))")).toThrow(expect.objectContaining({ code: "WAT_SPLICE" }));
  });

  it("refuses an unbalanced form instead of cutting the text anywhere", () => {
    expect(() => replaceFunctions("(module (func $a (nop)", "(func $a (nop))")).toThrow(expect.objectContaining({ code: "WAT_SPLICE" }));
  });
});
