// The CUDA kernels without a GPU: the committed PTX assembles for sm_90 with ptxas (every entry
// by name), it is what nvcc builds from kernels.cu today, and each kernel's parameter list in
// the PTX is the one backend.ts packs. ptxas and nvcc are required (the project's machines have
// CUDA 13.0 at /usr/local/bin): a machine without them fails here with that message, it does
// not skip.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { KERNEL_SIGNATURES, PTX_URL } from "../../engine/backends/cuda/backend.ts";

const PTX_PATH = fileURLToPath(PTX_URL);
const CU_PATH = fileURLToPath(new URL("./kernels.cu", PTX_URL));
const ptx = readFileSync(PTX_PATH, "utf8");
const work = mkdtempSync(join(tmpdir(), "refute-ptx-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tool(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0) throw new Error(`${name} is not on PATH: the CUDA kernel checks need the CUDA 13 toolkit's ${name} (expected at /usr/local/bin/${name})`);
  return found.stdout.trim();
}

/** .entry name -> parameter types as ArgKind (".u64" pointer, ".u32"/".s32" int, ".f32", ".f64"). */
function entries(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/\.entry\s+(\w+)\s*\(([^)]*)\)/g)) {
    const kinds = [...m[2].matchAll(/\.param\s+\.(\w+)/g)].map(([, t]) => ({ u64: "ptr", u32: "i32", s32: "i32", f32: "f32", f64: "f64" })[t] ?? `?${t}`);
    out.set(m[1], kinds);
  }
  return out;
}

describe("kernels.ptx", () => {
  it("targets sm_90 with PTX ISA 9.0 (CUDA 13: drivers r580 and later load it)", () => {
    expect(ptx).toMatch(/^\.version 9\.0$/m);
    expect(ptx).toMatch(/^\.target sm_90$/m);
    expect(ptx).toMatch(/^\.address_size 64$/m);
  });

  it("assembles for sm_90 with ptxas, every kernel of the backend by name", () => {
    const ptxas = tool("ptxas");
    const result = spawnSync(ptxas, ["-arch=sm_90", "-v", "-o", join(work, "kernels.cubin"), PTX_PATH], { encoding: "utf8" });
    expect(result.status, `ptxas failed:\n${result.stderr}`).toBe(0);
    const compiled = new Set([...result.stderr.matchAll(/Compiling entry function '(\w+)' for 'sm_90'/g)].map((m) => m[1]));
    for (const name of Object.keys(KERNEL_SIGNATURES)) expect(compiled.has(name), `ptxas did not compile ${name}`).toBe(true);
    expect(result.stderr, "a kernel spills registers to local memory").not.toMatch(/[1-9]\d* bytes spill/);
  });

  it("declares exactly the backend's kernels with the parameter lists backend.ts packs", () => {
    const found = entries(ptx);
    expect([...found.keys()].sort()).toEqual(Object.keys(KERNEL_SIGNATURES).sort());
    for (const [name, kinds] of Object.entries(KERNEL_SIGNATURES)) expect(found.get(name), name).toEqual(kinds);
  });

  it("is what nvcc builds from kernels.cu (scripts/gpu/build-ptx.sh; else rebuild and commit both)", () => {
    const nvcc = tool("nvcc");
    const fresh = join(work, "fresh.ptx");
    execFileSync(nvcc, ["-ptx", "-arch=sm_90", "-O3", "--fmad=false", "-o", fresh, CU_PATH], { stdio: "pipe" });
    const built = readFileSync(fresh, "utf8");
    const release = (text: string) => /release ([\d.]+), (V[\d.]+)/.exec(text)?.[2] ?? "unknown";
    if (release(built) === release(ptx)) {
      expect(built === ptx, `kernels.ptx is stale: run scripts/gpu/build-ptx.sh and commit it with kernels.cu`).toBe(true);
    } else {
      // another nvcc writes other registers and labels: the kernels and their parameters must still agree
      console.warn(`cuda-ptx: committed PTX is from nvcc ${release(ptx)}, this machine has ${release(built)}: comparing kernel signatures only`);
      expect(entries(built)).toEqual(entries(ptx));
    }
  });
});
