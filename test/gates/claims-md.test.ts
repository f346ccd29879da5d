// CLAIMS.md is generated from the claim files and claims/ADR.md; the committed one must be
// exactly what the generator writes now.

import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadClaims } from "../../gates/claims.ts";
import { readAdr, renderClaimsMd } from "../../gates/claims-md.ts";
import { gatesCommand } from "../../cli/gates.ts";
import { captureDeps, CORE_CLAIMS, tempDir } from "./helpers.ts";
import { join } from "node:path";

describe("CLAIMS.md", () => {
  it("is current: regenerate with `pnpm refute gates claims-md` after editing claims/", async () => {
    const expected = renderClaimsMd(await loadClaims("claims"), await readAdr("claims"));
    expect(readFileSync("CLAIMS.md", "utf8")).toBe(expected);
  });

  it("follows the YAML: a changed threshold changes the document", async () => {
    const claims = await loadClaims(CORE_CLAIMS);
    const adr = await readAdr("claims");
    const before = renderClaimsMd(claims, adr);
    const token = claims.find((c) => c.id === "token-int4-mismatch")!;
    expect(before).toContain("| token | `token-int4-mismatch` | mismatched tokens <= 5 | tiny-llama, tiny-qwen2, tiny-gpt2");
    const edited = claims.map((c) => (c === token ? { ...c, prediction: { ...c.prediction, threshold: 6 } } : c));
    const after = renderClaimsMd(edited, adr);
    expect(after).not.toBe(before);
    expect(after).toContain("| token | `token-int4-mismatch` | mismatched tokens <= 6 |");
    expect(before).toContain("8 claims in 5 suites expand into **63 checks**");
    expect(before).toContain("### ADR-001: greedy decoding needs no seeds");
  });

  it("claims-md writes the file; --check exits 0 when it is current and 1 when stale or missing", async () => {
    // On a file of its own: whether the committed CLAIMS.md is current is the first test's question.
    const out = join(tempDir(), "CLAIMS.md");
    const missing = captureDeps();
    expect(await gatesCommand(["claims-md", "--check", "--out", out], missing)).toBe(1);
    expect(missing.stderr[0]).toMatch(/is stale/);
    expect(await gatesCommand(["claims-md", "--out", out], captureDeps())).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(renderClaimsMd(await loadClaims("claims"), await readAdr("claims")));
    const current = captureDeps();
    expect(await gatesCommand(["claims-md", "--check", "--out", out], current)).toBe(0);
    expect(current.stdout).toEqual([`${out} is current`]);
    const written = readFileSync(out, "utf8");
    const edited = written.replace("mismatched tokens <= 5", "mismatched tokens <= 6");
    expect(edited).not.toBe(written); // the edit must apply, or the check proves nothing
    writeFileSync(out, edited);
    const stale = captureDeps();
    expect(await gatesCommand(["claims-md", "--check", "--out", out], stale)).toBe(1);
    expect(stale.stderr[0]).toMatch(/is stale/);
  });
});
