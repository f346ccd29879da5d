// The reference's layer-by-layer traces (oracle/<model>/<prompt>.trace.json + .trace.f32): read
// as their index says, and refused with a coded error when the index does not follow
// oracle/schema.json (a file name leaving the model's directory, a point without a width)
// or the binary does not match it.

import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OracleStore } from "../../gates/oracle.ts";
import { tempDir } from "./helpers.ts";

function copy(): string {
  const dir = tempDir("refute-trace-");
  cpSync("oracle/tiny-llama", join(dir, "tiny-llama"), { recursive: true });
  return dir;
}

function rewriteIndex(dir: string, change: (index: Record<string, unknown>) => void): void {
  const file = join(dir, "tiny-llama", "completion.trace.json");
  const index = JSON.parse(readFileSync(file, "utf8"));
  change(index);
  writeFileSync(file, JSON.stringify(index));
}

describe("oracle traces", () => {
  it("read every point with the index's width and positions", async () => {
    const trace = await new OracleStore("oracle").trace("tiny-llama", "completion");
    const index = JSON.parse(readFileSync("oracle/tiny-llama/completion.trace.json", "utf8"));
    expect(trace.tokens).toEqual(index.tokens);
    expect(trace.tensors.map((t) => t.name)).toEqual(index.points.map((p: { name: string }) => p.name));
    for (const t of trace.tensors) expect(t.values.length).toBe(t.width * index.positions);
  });

  it("refuse an index naming a file outside the model's directory", async () => {
    const dir = copy();
    rewriteIndex(dir, (index) => (index.file = "../../etc/passwd"));
    await expect(new OracleStore(dir).trace("tiny-llama", "completion")).rejects.toMatchObject({ code: "E_ORACLE_INVALID", facts: { field: "file" } });
  });

  it("refuse a point without a width", async () => {
    const dir = copy();
    rewriteIndex(dir, (index) => delete (index.points as Record<string, unknown>[])[3].width);
    await expect(new OracleStore(dir).trace("tiny-llama", "completion")).rejects.toMatchObject({ code: "E_ORACLE_INVALID" });
  });

  it("refuse a binary that does not match the index's sha256", async () => {
    const dir = copy();
    const file = join(dir, "tiny-llama", "completion.trace.f32");
    const bytes = readFileSync(file);
    bytes[8] ^= 1;
    writeFileSync(file, bytes);
    await expect(new OracleStore(dir).trace("tiny-llama", "completion")).rejects.toMatchObject({ code: "E_ORACLE_STALE" });
  });
});
