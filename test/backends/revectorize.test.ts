// V8's revectorization joins kernels-revec.wat's accumulator pairs into 256-bit operations,
// lane for lane the same arithmetic: the products must be bit-identical with and without it,
// and it must actually join them (else the variant is the slower form for nothing). Child
// processes (revectorize-child.ts) compile the kernels with the flag on and off; V8's own trace
// (on stdout; the products go to stderr) says whether it joined anything; each product is
// checked in a child that runs it alone, so that the decision is that product's.

import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { revectorizationAvailable } from "../../engine/backends/wasm/revectorize.ts";

const CHILD = fileURLToPath(new URL("./revectorize-child.ts", import.meta.url));
// --single-threaded: every function compiles on the main thread when first called;
// --wasm-lazy-compilation: not before (so the flag cleared in "off" holds for all). V8's trace
// goes to a file, not a pipe: Node makes a pipe on fd 1 non-blocking, and C stdio drops what it
// cannot write when the pipe is full (the parent busy: one run in three under the full suite
// lost a product's trace that way).
const run = (mode: "on" | "off", only?: string) => {
  const dir = mkdtempSync(join(tmpdir(), "refute-revec-"));
  const file = join(dir, "trace.txt");
  const fd = openSync(file, "w");
  try {
    const child = spawnSync(process.execPath, ["--single-threaded", "--wasm-lazy-compilation", "--no-liftoff", "--trace-wasm-revectorize", "--import", "tsx", CHILD, mode, ...(only ? [only] : [])], {
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 64 << 20,
      stdio: ["ignore", fd, "pipe"],
    });
    return { status: child.status, stderr: child.stderr, stdout: readFileSync(file, "utf8") };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
};
const JOINED = /Decide to vectorize, [1-9]\d* revectorizable nodes/;
const products = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("product "));

describe.skipIf(!revectorizationAvailable())(`revectorization (Node ${process.version})`, () => {
  it("the products are bit-identical to the same kernels compiled without it", () => {
    const on = run("on");
    const off = run("off");
    expect(on.status, on.stderr.slice(-2000)).toBe(0);
    expect(off.status, off.stderr.slice(-2000)).toBe(0);
    expect(on.stdout).toMatch(JOINED);
    expect(off.stderr).toContain("revectorization off");
    expect(off.stdout).not.toMatch(JOINED);
    expect(products(on.stderr)).toHaveLength(6);
    expect(products(on.stderr)).toEqual(products(off.stderr));
  }, 120_000);

  // f32 matmul runs matmul4_f32 -> matmul2x2_f32 (64 rows: no odd row); q8_0 and q4_0 matmul,
  // matmul4_q8_0 and matmul4_q4_0; q4_0:matmul8 over eight tokens, matmul8_q4_0
  it.each(["f32:matvec", "q8_0:matvec", "q4_0:matvec", "f32:matmul", "q8_0:matmul", "q4_0:matmul", "q4_0:matmul8"])("joins %s into 256-bit operations", (only) => {
    const on = run("on", only);
    expect(on.status, on.stderr.slice(-2000)).toBe(0);
    expect(products(on.stderr)).toHaveLength(1);
    expect(on.stdout).toMatch(JOINED);
  }, 60_000);
});
