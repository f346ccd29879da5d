// CLAIMS.md is generated from the claim files and claims/ADR.md; the committed one must be
// exactly what the generator writes now.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadClaims } from "../../gates/claims.ts";
import { readAdr, renderClaimsMd } from "../../gates/claims-md.ts";
import { gatesCommand } from "../../cli/gates.ts";
import { captureDeps, tempDir } from "./helpers.ts";
import { join } from "node:path";

describe("CLAIMS.md", () => {
  it("is current: regenerate with `pnpm refute gates claims-md` after editing claims/", async () => {
    const expected = renderClaimsMd(await loadClaims("claims"), await readAdr("claims"));
    expect(readFileSync("CLAIMS.md", "utf8")).toBe(expected);
  });

  it("follows the YAML: a changed threshold changes the document", async () => {
    const claims = await loadClaims("claims");
    const adr = await readAdr("claims");
    const before = renderClaimsMd(claims, adr);
    const token = claims.find((c) => c.id === "token-int4-mismatch")!;
    expect(before).toContain("| token | `token-int4-mismatch` | mismatched tokens <= 5 | tiny-llama, tiny-qwen2, tiny-gpt2");
    const edited = claims.map((c) => (c === token ? { ...c, prediction: { ...c.prediction, threshold: 6 } } : c));
    const after = renderClaimsMd(edited, adr);
    expect(after).not.toBe(before);
    expect(after).toContain("| token | `token-int4-mismatch` | mismatched tokens <= 6 |");
    expect(before).toContain("expand into **63 checks**");
    expect(before).toContain("### ADR-001: greedy decoding needs no seeds");
  });

  it("claims-md --check exits 0 when current and 1 when stale; without --check it writes the file", async () => {
    expect(await gatesCommand(["claims-md", "--check"], captureDeps())).toBe(0);
    const out = join(tempDir(), "CLAIMS.md");
    const stale = captureDeps();
    expect(await gatesCommand(["claims-md", "--check", "--out", out], stale)).toBe(1);
    expect(stale.stderr[0]).toMatch(/is stale/);
    expect(await gatesCommand(["claims-md", "--out", out], captureDeps())).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync("CLAIMS.md", "utf8"));
  });
});
