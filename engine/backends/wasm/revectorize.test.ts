import { describe, expect, it } from "vitest";
import { revectorizationAvailable, v8OptionsRevectorize } from "./revectorize.ts";

const HEADER_AVX2 = "SSE3=1 SSSE3=1 SSE4_1=1 SSE4_2=1 SAHF=1 AVX=1 AVX2=1 AVX_VNNI=1 FMA3=1 F16C=1";
const FLAG_LINES = "  --experimental-wasm-revectorize (enable 128 to 256 bit revectorization for Webassembly SIMD (experimental))\n        type: bool  default: --no-experimental-wasm-revectorize\n";

describe("v8OptionsRevectorize", () => {
  it("needs both AVX2 in the CPU line and the flag among the options", () => {
    expect(v8OptionsRevectorize(`${HEADER_AVX2}\nThe following syntax...\n${FLAG_LINES}`)).toBe(true);
    expect(v8OptionsRevectorize(`${HEADER_AVX2.replace("AVX2=1", "AVX2=0")}\n${FLAG_LINES}`)).toBe(false);
    expect(v8OptionsRevectorize(`${HEADER_AVX2}\n  --trace-wasm-revectorize (trace wasm revectorize)\n`)).toBe(false);
    // a default line that merely mentions the flag is not the flag's own line
    expect(v8OptionsRevectorize(`${HEADER_AVX2}\n        type: bool  default: --no-experimental-wasm-revectorize\n`)).toBe(false);
  });

  it("REFUTE_WASM_REVECTORIZE=0 turns it off whatever the runtime has", () => {
    expect(revectorizationAvailable({ REFUTE_WASM_REVECTORIZE: "0" })).toBe(false);
  });

  it("this runtime's answer matches its own --v8-options (Node 20 has no such flag)", () => {
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) expect(revectorizationAvailable({})).toBe(false);
    else expect(typeof revectorizationAvailable({})).toBe("boolean");
  });
});
