// A crash (an error that is not one of refute's coded errors) exits with a code of its own,
// never 1 (a refutation) or 2 (a usage or configuration error), and says it is a bug.

import { describe, expect, it, vi } from "vitest";
import { EXIT_CRASH, main } from "../../cli/main.ts";

vi.mock("../../cli/inspect.ts", () => ({
  run: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'shape')");
  },
}));

describe("refute's own failures", () => {
  it("exit 70 with the stack, distinct from refutations and usage errors", async () => {
    const err: string[] = [];
    expect(await main(["inspect", "--model", "tiny-llama"], (t) => err.push(t))).toBe(EXIT_CRASH);
    expect(EXIT_CRASH).not.toBe(1);
    expect(EXIT_CRASH).not.toBe(2);
    expect(err.join("")).toMatch(/^refute: internal error \(a bug in refute; please report it with this output\):\nTypeError: Cannot read properties of undefined/);
  });
});
