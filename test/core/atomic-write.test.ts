// core/atomic-write.ts: a file is replaced whole, and a write that fails leaves the old file
// and no temporary behind, for the async and the sync variant alike.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeAtomic, writeAtomicPiecesSync, writeAtomicSync } from "../../core/atomic-write.ts";
import { tempDir } from "../gates/helpers.ts";

const variants = {
  writeAtomic,
  writeAtomicSync: async (file: string, content: string | Uint8Array) => writeAtomicSync(file, content),
  // the content cut into three pieces (one empty), written one after another
  writeAtomicPiecesSync: async (file: string, content: string | Uint8Array) => {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    const third = Math.floor(bytes.length / 3);
    writeAtomicPiecesSync(file, [bytes.subarray(0, third), new Uint8Array(0), bytes.subarray(third)]);
  },
};

describe.each(Object.entries(variants))("%s", (_, write) => {
  it("replaces a file whole, text or bytes", async () => {
    const dir = tempDir();
    const file = join(dir, "out.json");
    writeFileSync(file, "old");
    await write(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    await write(file, Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(["out.json"]);
  });

  it("leaves no temporary file when the rename fails", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "taken", "inside"), { recursive: true }); // a non-empty directory cannot be renamed over
    await expect(write(join(dir, "taken"), "x")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
  });
});
