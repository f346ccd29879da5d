// V8's revectorization (--experimental-wasm-revectorize): when a function tiers up, TurboFan
// joins pairs of 128-bit SIMD operations on adjacent data into single 256-bit AVX2 operations,
// lane for lane the same arithmetic (kernels-revec.wat is written in the form it joins). Node
// 24's V8 has it behind that flag; Node 20's has no such flag. The flag is process-wide and is
// read whenever a function tiers up, so once set it stays set for the process.

import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";

const FLAG = "--experimental-wasm-revectorize";

/**
 * Whether `node --v8-options` (its text) offers the flag on a CPU with AVX2: the first line
 * lists the CPU features V8 detected ("... AVX2=1 ..."), the rest the flags this build has.
 */
export function v8OptionsRevectorize(text: string): boolean {
  const features = text.slice(0, text.indexOf("\n") >>> 0).split(/\s+/);
  return features.includes("AVX2=1") && new RegExp(`^\\s*${FLAG}\\s`, "m").test(text);
}

let probed: boolean | undefined;

/** Whether this Node can revectorize here (x64, AVX2, the flag in its V8); REFUTE_WASM_REVECTORIZE=0 says no. Probed once per process. */
export function revectorizationAvailable(env: Record<string, string | undefined> = process.env): boolean {
  if (env.REFUTE_WASM_REVECTORIZE === "0") return false;
  if (probed === undefined) {
    const run = process.arch === "x64" ? spawnSync(process.execPath, ["--v8-options"], { encoding: "utf8", timeout: 15_000, maxBuffer: 16 << 20 }) : null;
    probed = run !== null && run.status === 0 && v8OptionsRevectorize(run.stdout);
  }
  return probed;
}

let enabled = false;

/** Sets the flag for the rest of the process (before the kernels compile). */
export function enableRevectorization(): void {
  if (enabled) return;
  setFlagsFromString(FLAG);
  enabled = true;
}
