// Expansion, selection, overrides, shards and fingerprints: pure functions over the
// committed claims of the five core suites (other claim files add checks of their own).

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Claim } from "../../gates/claims.ts";
import { loadClaims } from "../../gates/claims.ts";
import { EMPTY_CONFIG } from "../../core/config.ts";
import { substituteModels } from "../../gates/claims.ts";
import { expandClaims, fingerprint, parseShard, selectChecks, shardChecks, type Check } from "../../gates/expand.ts";
import { planChecks } from "../../gates/run.ts";
import { CORE_CHECKS, CORE_CLAIMS, FIXTURE_ORACLE } from "./helpers.ts";

let claims: Claim[]; // the core suites' claims
let all: Check[];
beforeAll(async () => {
  claims = await loadClaims(CORE_CLAIMS);
  all = expandClaims(claims);
  expect(all.length).toBe(CORE_CHECKS);
});

describe("expansion", () => {
  it("expands roundtrip over model x quant with one check covering all four prompts, against the native format", () => {
    const roundtrip = all.filter((c) => c.claim.suite === "roundtrip");
    expect(roundtrip.map((c) => `${c.subject.model}/${c.subject.quant}`)).toEqual([
      "tiny-llama/q8_0",
      "tiny-llama/q4_0",
      "tiny-qwen2/q8_0",
      "tiny-qwen2/q4_0",
      "tiny-gpt2/q8_0",
      "tiny-gpt2/q4_0",
    ]);
    for (const c of roundtrip) {
      expect(c.prompts).toEqual(["arithmetic", "completion", "code", "greeting"]);
      expect(c.subject.format).toBe("roundtrip");
      expect(c.against).toEqual({ ...c.subject, format: "native" });
    }
  });

  it("defaults to backend cpu and runtime embedded; --backend/--runtime override subject and against alike", () => {
    expect(new Set(all.map((c) => `${c.subject.backend}/${c.subject.runtime}`))).toEqual(new Set(["cpu/embedded"]));
    const cuda = expandClaims(claims, { backend: "cuda", runtime: "llamacpp", inject: "rope-position-off-by-one" });
    expect(cuda.length).toBe(CORE_CHECKS);
    for (const c of cuda) {
      expect(c.subject).toMatchObject({ backend: "cuda", runtime: "llamacpp", inject: "rope-position-off-by-one" });
      if (c.against) expect(c.against).toMatchObject({ backend: "cuda", runtime: "llamacpp", inject: "rope-position-off-by-one" });
    }
    const drift = cuda.find((c) => c.claim.id === "drift-int8-within-int4")!;
    expect(drift.against!.quant).toBe("q4_0"); // the claim's own against field wins
  });

  it("selects by suite, claim and quant, and refuses names that match nothing", () => {
    expect(selectChecks(all, { suites: ["canary", "ppl"] }).length).toBe(21);
    expect(() => selectChecks(all, { suites: ["canary", "canry"] })).toThrow(/--suite 'canry' matches no claim; known: canary, drift, ppl, roundtrip, token/);
    // names that exist on their own but never together select nothing: an error, not an empty pass
    expect(() => selectChecks(all, { suites: ["ppl"], claims: ["token-int8-mismatch"] })).toThrow(/the selection matches no check/);
    expect(selectChecks(all, { claims: ["roundtrip-gguf-identical-tokens"], quants: ["q4_0"] }).map((c) => c.id)).toEqual([
      "roundtrip-gguf-identical-tokens/tiny-llama/roundtrip/q4_0/cpu/embedded",
      "roundtrip-gguf-identical-tokens/tiny-qwen2/roundtrip/q4_0/cpu/embedded",
      "roundtrip-gguf-identical-tokens/tiny-gpt2/roundtrip/q4_0/cpu/embedded",
    ]);
  });
});

describe("models: substitution, paths and configured names", () => {
  const config = { ...EMPTY_CONFIG, file: "/cfg/refute.config.yaml", models: { mine: { path: "/models/mine" } } };

  it("--model runs every claim on the given models instead of its own: the claim's list is its default set", async () => {
    const substituted = await planChecks({ claimsDir: CORE_CLAIMS, oracleDir: FIXTURE_ORACLE, select: { claims: ["token-int8-mismatch"], models: ["tiny-gpt2"] } });
    expect(substituted.map((c) => `${c.subject.model} ${c.prompts[0]}`)).toEqual(["tiny-gpt2 arithmetic", "tiny-gpt2 completion", "tiny-gpt2 code", "tiny-gpt2 greeting"]);
    const one = claims.find((c) => c.id === "token-int8-mismatch")!;
    const narrowed = { ...one, subject: { ...one.subject, model: ["tiny-llama"] } };
    expect(expandClaims([substituteModels(narrowed, ["tiny-qwen2", "tiny-gpt2"])]).map((c) => c.subject.model)).toEqual([...Array(4).fill("tiny-qwen2"), ...Array(4).fill("tiny-gpt2")]);
    await expect(planChecks({ claimsDir: CORE_CLAIMS, oracleDir: FIXTURE_ORACLE, select: { models: ["smollm"] } })).rejects.toThrow(/--model 'smollm': expected a zoo model/);
  });

  it("a path's subject goes by its base name (where its oracle records are) and carries the path; a configured name carries the config's path", () => {
    const one = claims.find((c) => c.id === "token-int8-mismatch")!;
    const [path] = expandClaims([substituteModels(one, ["/tmp/somewhere/my-model.gguf"])]);
    expect(path.subject).toMatchObject({ model: "my-model", path: "/tmp/somewhere/my-model.gguf" });
    const [named] = expandClaims([substituteModels(one, ["mine"])], { config });
    expect(named.subject).toMatchObject({ model: "mine", path: "/models/mine" });
    expect(named.id).toBe("token-int8-mismatch/mine/native/q8_0/cpu/embedded/arithmetic");
    const [zoo] = expandClaims([one]);
    expect(zoo.subject.path).toBeUndefined();
  });

  it("a GGUF-only runtime runs a native claim as GGUF and the check says what was converted", () => {
    const one = claims.find((c) => c.id === "token-int8-mismatch")!;
    const checks = expandClaims([one], { runtime: "llamacpp" });
    expect(new Set(checks.map((c) => c.subject.format))).toEqual(new Set(["gguf"]));
    expect(checks[0].conversion).toMatch(/the claim's native q8_0 runs as GGUF: runtime llamacpp reads GGUF files only/);
    expect(checks[0].group).toBe("tiny-llama/gguf/q8_0/cpu/llamacpp");
    // the embedded engine reads every format: nothing converted
    expect(expandClaims([one]).every((c) => c.conversion === undefined && c.subject.format === "native")).toBe(true);
    // a configured runtime of kind llamacpp is converted for as well
    const named = expandClaims([one], { runtime: "my-llama", config: { ...config, runtimes: { "my-llama": { kind: "llamacpp" } } } });
    expect(named[0].subject).toMatchObject({ format: "gguf", runtime: "my-llama" });
  });
});

describe("shards", () => {
  it("parses k/n and refuses anything else", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "a/b", "2", "-1/3"]) expect(() => parseShard(bad)).toThrow(/--shard expects k\/n/);
  });

  it("partition the checks for every n: disjoint, union is all, deterministic, generations kept together", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.subarray(["canary", "token", "drift", "roundtrip", "ppl"], { minLength: 1 }), (n, suites) => {
        const checks = selectChecks(all, { suites });
        const shards = Array.from({ length: n }, (_, k) => shardChecks(checks, { index: k + 1, count: n }));
        const ids = shards.flat().map((c) => c.id);
        expect(ids.length).toBe(checks.length); // disjoint (no id twice) ...
        expect(new Set(ids)).toEqual(new Set(checks.map((c) => c.id))); // ... and complete
        expect(shardChecks(checks, { index: 1, count: n }).map((c) => c.id)).toEqual(shards[0].map((c) => c.id));
        // Checks that share a generation (same model and prompt) are in the same shard.
        const shardOf = new Map<string, number>();
        shards.forEach((s, k) =>
          s.forEach((c) => {
            const unit = `${c.subject.model}|${c.prompts.join(",")}`;
            expect(shardOf.get(unit) ?? k).toBe(k);
            shardOf.set(unit, k);
          }),
        );
      }),
      { numRuns: 40 },
    );
  });

  it("spread the full run evenly: 18 work units (model x prompt, model x all prompts, model x text) over 4 shards", () => {
    const sizes = [1, 2, 3, 4].map((k) => shardChecks(all, { index: k, count: 4 }).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(CORE_CHECKS);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(3);
  });
});

describe("fingerprints", () => {
  it("depend on the claim and the subject group only: not on the prompt, the fault or anything observed", () => {
    const token = all.filter((c) => c.claim.id === "token-int4-mismatch" && c.subject.model === "tiny-llama");
    expect(new Set(token.map((c) => c.fingerprint)).size).toBe(1);
    const faulted = expandClaims(claims, { inject: "q4-nibble-order-swapped" }).filter((c) => c.claim.id === "token-int4-mismatch" && c.subject.model === "tiny-llama");
    expect(faulted[0].fingerprint).toBe(token[0].fingerprint);
    expect(token[0].fingerprint).toBe(fingerprint("token-int4-mismatch", "tiny-llama/native/q4_0/cpu/embedded"));
    expect(token[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it("differ between claims, models, quantizations and backends", () => {
    const fps = new Set(all.map((c) => c.fingerprint));
    const groups = new Set(all.map((c) => `${c.claim.id}|${c.group}`));
    expect(fps.size).toBe(groups.size); // 8 claims: 3+3+3+3+6 groups... one fingerprint each
    expect(fps.size).toBe(3 * 7 + 6);
    const cuda = expandClaims(claims, { backend: "cuda" });
    for (const c of cuda) expect(fps.has(c.fingerprint)).toBe(false);
  });
});
