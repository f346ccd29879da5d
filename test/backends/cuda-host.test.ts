// The CUDA backend's host side, on any machine: what the probe says without a driver or a
// device, the driver binding against a stand-in libcuda (cuda-mock-driver.c, built here with cc:
// device addresses above 2^53, bounds-checked copies, launches checked against the PTX's
// parameter lists), what crosses the bus (weights once, unchanged inputs never, new KV rows
// only), and the device weight layouts against the engine's dequantizers. The arithmetic of
// the kernels is checked on a GPU by cuda-parity.test.ts.

import { plainRopeFrequencies } from "../../engine/backends/rope-frequencies.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import koffi from "koffi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuKernels } from "../../engine/backends/cpu/kernels.ts";
import { createCudaKernels, probeCuda, type CudaKernels } from "../../engine/backends/cuda/backend.ts";
import { CudaContext } from "../../engine/backends/cuda/driver.ts";
import { deviceBytes, quantLayout, QUANT_LAYOUTS } from "../../engine/backends/cuda/layout.ts";
import { RefuteError } from "../../core/errors.ts";
import type { Matrix } from "../../engine/model/weights.ts";
import { quantType } from "../../engine/quant/types.ts";
import { Session } from "../../engine/generate/session.ts";
import type { Architecture } from "../../engine/model/architecture.ts";
import { gaussian, randomMatrix } from "../../engine/backends/random-inputs.ts";
import { SMOLLM_135M, randomModel } from "./random-model.ts";

const work = mkdtempSync(join(tmpdir(), "refute-cuda-mock-"));
const MOCK = join(work, "libcuda-mock.so");
let stats: () => { launches: number; htodBytes: number; dtohBytes: number; live: number };

beforeAll(() => {
  const source = new URL("./cuda-mock-driver.c", import.meta.url).pathname;
  try {
    execFileSync("cc", ["-shared", "-fPIC", "-O1", "-o", MOCK, source], { stdio: "pipe" });
  } catch (e) {
    throw new Error(`cc could not build the stand-in libcuda (${source}); the host-side CUDA tests need a C compiler: ${(e as Error).message}`);
  }
  const mockStats = koffi.load(MOCK).func("const char *mock_stats()");
  stats = () => {
    const [launches, htodBytes, dtohBytes, , , live] = (mockStats() as string).split(" ").map(Number);
    return { launches, htodBytes, dtohBytes, live };
  };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function errorOf(f: () => unknown): RefuteError {
  try {
    f();
  } catch (e) {
    if (e instanceof RefuteError) return e;
    throw e;
  }
  throw new Error("expected a RefuteError");
}

describe("without a usable driver", () => {
  it("probeCuda on this machine answers without throwing: a device, or the reason there is none", () => {
    const probe = probeCuda();
    if (probe.available) expect(probe.devices.length).toBeGreaterThan(0);
    else expect(probe.reason).toMatch(/libcuda\.so\.1 could not be loaded|no CUDA device|failed/);
    if (process.env.REFUTE_GPU === "1") expect(probe, "REFUTE_GPU=1 but no CUDA device").toMatchObject({ available: true });
  });

  it("createCudaKernels throws CUDA_UNAVAILABLE with the probe's reason where there is no device", () => {
    const probe = probeCuda();
    if (probe.available) return expect(probe.devices.length).toBeGreaterThan(0); // a GPU machine: cuda-parity covers it
    const e = errorOf(() => createCudaKernels());
    expect(e.code).toBe("CUDA_UNAVAILABLE");
    expect(e.message).toBe(`blocked: no CUDA device (${probe.reason})`);
  });

  it("a missing library is CUDA_UNAVAILABLE naming it, never a crash", () => {
    const probe = probeCuda("/nonexistent/libcuda.so.1");
    expect(probe).toMatchObject({ available: false });
    expect(!probe.available && probe.reason).toMatch(/\/nonexistent\/libcuda\.so\.1 could not be loaded/);
    expect(errorOf(() => createCudaKernels({ library: "/nonexistent/libcuda.so.1" })).code).toBe("CUDA_UNAVAILABLE");
  });

  it("a driver that finds no device is CUDA_UNAVAILABLE: no CUDA device", () => {
    process.env.MOCK_CUDA_DEVICES = "0";
    try {
      const probe = probeCuda(MOCK);
      expect(probe).toEqual({ available: false, library: MOCK, reason: "no CUDA device: cuInit reports CUDA_ERROR_NO_DEVICE" });
      const e = errorOf(() => createCudaKernels({ library: MOCK }));
      expect(e.code).toBe("CUDA_UNAVAILABLE");
      expect(e.message).toMatch(/^blocked: no CUDA device \(no CUDA device: cuInit/);
    } finally {
      delete process.env.MOCK_CUDA_DEVICES;
    }
  });
});

describe("driver binding (stand-in libcuda)", () => {
  it("device pointers are BigInt above 2^53; copies keep a view's offset and length", () => {
    const cuda = CudaContext.create({ library: MOCK });
    try {
      const p = cuda.alloc(64);
      expect(typeof p).toBe("bigint");
      expect(p > 2n ** 53n).toBe(true);
      const host = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
      cuda.upload(p + 8n, host.subarray(2, 6)); // 3 4 5 6 at bytes 8..24
      const back = new Float32Array(8);
      cuda.download(back.subarray(1, 5), p + 8n);
      expect([...back]).toEqual([0, 3, 4, 5, 6, 0, 0, 0]);
      cuda.free(p);
    } finally {
      cuda.close();
    }
  });

  it("a failing call is CUDA_ERROR naming the call and CUDA's error name", () => {
    const cuda = CudaContext.create({ library: MOCK });
    try {
      const p = cuda.alloc(16);
      const outside = errorOf(() => cuda.upload(p + 8n, new Float32Array(4)));
      expect(outside.code).toBe("CUDA_ERROR");
      expect(outside.message).toMatch(/^cuMemcpyHtoD_v2 failed: CUDA_ERROR_INVALID_VALUE/);
      cuda.free(p);
      expect(errorOf(() => cuda.free(p)).message).toMatch(/^cuMemFree_v2 failed: CUDA_ERROR_INVALID_VALUE/);
      const missing = errorOf(() => cuda.loadModule(".version 9.0\n.target sm_90\n", ["no_such_kernel"]));
      expect(missing.message).toMatch(/^cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND/);
      expect(missing.facts).toMatchObject({ call: "cuModuleGetFunction", kernel: "no_such_kernel", name: "CUDA_ERROR_NOT_FOUND" });
    } finally {
      cuda.close();
    }
  });

  it("a launch passes every parameter the PTX declares; a dangling device pointer is refused", () => {
    const cuda = CudaContext.create({ library: MOCK });
    try {
      const fns = cuda.loadModule(".version 9.0\n.target sm_90\n.visible .entry k(\n.param .u64 k_param_0,\n.param .u32 k_param_1,\n.param .f64 k_param_2\n)\n{ ret; }\n", ["k"]);
      const k = fns.get("k")!;
      const p = cuda.alloc(4);
      cuda.launch(k, 1, 32, ["ptr", "i32", "f64"], [p, 3, 0.5]);
      cuda.launch(k, 1, 32, ["ptr", "i32", "f64"], [null, 3, 0.5]);
      const dangling = errorOf(() => cuda.launch(k, 1, 32, ["ptr", "i32", "f64"], [p + 4096n, 3, 0.5]));
      expect(dangling.message).toMatch(/^cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE .*parameter 0/);
      expect(errorOf(() => cuda.launch(k, 1, 32, ["ptr", "i32", "f64"], [p, 3])).code).toBe("CUDA_ARGS");
    } finally {
      cuda.close();
    }
  });
});

describe("backend host side (stand-in libcuda: no arithmetic, only traffic)", () => {
  let cuda: CudaKernels;
  beforeAll(() => {
    cuda = createCudaKernels({ library: MOCK });
  });
  afterAll(() => cuda.close());

  it("loads the committed PTX and finds every kernel", () => {
    expect(cuda.name).toBe("cuda");
    expect(cuda.deviceName).toBe("Mock CUDA device 0");
  });

  it("uploads a weight once, repacked; an unchanged input is not uploaded again; each output comes back", () => {
    const w = randomMatrix("blk.0.attn_q.weight", 64, 256, "q8_0", 3);
    const x = gaussian(256, 4);
    const out = new Float32Array(64);
    const before = cuda.traffic();
    cuda.matvec(w, x, out, null);
    const first = cuda.traffic();
    expect(first.uploadBytes - before.uploadBytes).toBe(64 * 8 * 36 + 256 * 4); // weight in 36-byte blocks, then x
    expect(first.downloadBytes - before.downloadBytes).toBe(64 * 4);
    expect(first.launches - before.launches).toBe(2); // quantize x, product
    cuda.matvec(w, x, out, null);
    cuda.matvec(w, x, new Float32Array(64), null);
    const again = cuda.traffic();
    expect(again.uploadBytes - first.uploadBytes).toBe(0);
    expect(again.launches - first.launches).toBe(2); // x quantized once for all three products
    x[7] += 1;
    cuda.matvec(w, x, out, null);
    const changed = cuda.traffic();
    expect(changed.uploadBytes - again.uploadBytes).toBe(256 * 4);
    expect(changed.launches - again.launches).toBe(2);
  });

  it("every kernel launches with live device pointers and the PTX's parameter lists", () => {
    const launches = stats().launches;
    const x = gaussian(256, 5);
    const out = new Float32Array(256);
    for (const quant of ["f32", "q8_0", "q4_0", "q4_k", "q6_k"] as const) cuda.matvec(randomMatrix(`m.${quant}`, 32, 256, quant, 6), x, out.subarray(0, 32), gaussian(32, 7));
    cuda.rmsNorm(x, gaussian(256, 8), 1e-5, out);
    cuda.layerNorm(x, gaussian(256, 8), gaussian(256, 9), 1e-5, out);
    cuda.rope(out, 4, 64, 3, plainRopeFrequencies(64, 10000));
    cuda.ropeAdjacent(out, 4, 64, 3, plainRopeFrequencies(64, 10000));
    const keys = gaussian(10 * 128, 10);
    cuda.attention(gaussian(256, 11), keys, gaussian(10 * 128, 12), 10, { heads: 4, kvHeads: 2, headDim: 64 }, out);
    cuda.softmax(out, 100);
    cuda.argmax(out);
    expect(stats().launches - launches).toBe(5 + 2 + 2 + 2 + 1 + 1 + 1); // 5 products, x quantized once to A8_0 and once to A8_K, norms, ropes, attention, softmax, argmax
  });

  it("attention uploads only the new cache row while earlier rows are unchanged, all of them once one changed", () => {
    const shape = { heads: 4, kvHeads: 2, headDim: 64 };
    const width = 128;
    const keys = new Float32Array(32 * width);
    const values = new Float32Array(32 * width);
    const q = new Float32Array(256);
    const out = new Float32Array(256);
    const step = (length: number) => {
      keys.set(gaussian(width, 100 + length), (length - 1) * width);
      values.set(gaussian(width, 200 + length), (length - 1) * width);
      q.set(gaussian(256, 300 + length));
      const before = cuda.traffic().uploadBytes;
      cuda.attention(q, keys, values, length, shape, out);
      return cuda.traffic().uploadBytes - before;
    };
    step(1);
    step(2);
    expect(step(3)).toBe(2 * width * 4 + 256 * 4); // one key row, one value row, q
    keys[5] += 1; // an earlier position rewritten (as the kv-cache-stale-position fault does)
    expect(step(4)).toBe(4 * width * 4 + width * 4 + 256 * 4); // every key row, the new value row, q
  });

  it("a session's buffers come from allocate(); their device mirrors go back on dispose", () => {
    const arch: Architecture = { ...SMOLLM_135M, vocabSize: 64, hidden: 256, layers: 2, heads: 4, kvHeads: 2, intermediate: 256, maxPositions: 16 };
    const model = randomModel(arch, "q8_0", 3);
    const run = () => {
      const session = new Session(model, cuda, 16);
      for (const token of [1, 2, 3]) session.step(token);
      const during = cuda.traffic().deviceBytes;
      session.dispose();
      return during;
    };
    run(); // weights and scratch stay on the device from here on
    const idle = cuda.traffic().deviceBytes;
    expect(run()).toBeGreaterThan(idle);
    expect(cuda.traffic().deviceBytes).toBe(idle);
  });

  it("device memory goes back on close, and the kernels then run on the CPU reference", async () => {
    const other = createCudaKernels({ library: MOCK });
    const live = stats().live;
    other.matvec(randomMatrix("w", 8, 32, "f32", 1), gaussian(32, 2), new Float32Array(8), null);
    expect(stats().live).toBeGreaterThan(live);
    expect(other.traffic().deviceBytes).toBeGreaterThan(0);
    await other.close();
    expect(other.traffic().deviceBytes).toBe(0);
    const w = randomMatrix("w", 8, 32, "q4_0", 1);
    const x = gaussian(32, 2);
    const [a, b] = [new Float32Array(8), new Float32Array(8)];
    other.matvec(w, x, a, null);
    cpuKernels.matvec(w, x, b, null);
    expect(a).toEqual(b);
    expect(other.argmax(new Float32Array([1, 3, 3, 2]))).toBe(1);
  });

  it("shapes the reference would misread are refused with the tensor named", () => {
    const w = randomMatrix("blk.1.ffn_up.weight", 8, 64, "q8_0", 1);
    expect(errorOf(() => cuda.matvec(w, new Float32Array(32), new Float32Array(8), null)).code).toBe("KERNEL_SHAPE");
    const truncated: Matrix = { ...w, data: w.data.subarray(0, 100) } as Matrix;
    const e = errorOf(() => cuda.matvec(truncated, new Float32Array(64), new Float32Array(8), null));
    expect(e.code).toBe("KERNEL_SHAPE");
    expect(e.message).toMatch(/^blk\.1\.ffn_up\.weight: q8_0 \[8, 64\] needs 544 bytes/);
  });
});

describe("device weight layouts", () => {
  it.each(Object.keys(QUANT_LAYOUTS))("%s: the device bytes hold the same blocks (quants, then the f16 scale, 4-aligned)", (type) => {
    const w = randomMatrix("w", 3, 512, type as "q8_0", 11) as Extract<Matrix, { kind: "quant" }>;
    const layout = quantLayout(w)!;
    const bytes = deviceBytes(w, layout);
    expect(bytes.length).toBe((w.data.length / layout.bytes) * layout.deviceBytes);
    // undo the rearrangement and dequantize: the engine's values come back
    const back = new Uint8Array(w.data.length);
    const quants = layout.bytes - 2;
    for (let b = 0; b < w.data.length / layout.bytes; b++) {
      const d = b * layout.deviceBytes;
      if (layout.bytes === layout.deviceBytes) back.set(bytes.subarray(d, d + layout.bytes), b * layout.bytes);
      else {
        back.set(bytes.subarray(d + quants, d + quants + 2), b * layout.bytes);
        back.set(bytes.subarray(d, d + quants), b * layout.bytes + 2);
        expect(d % 4).toBe(0);
      }
    }
    const dequantize = quantType(type).dequantizeRow;
    expect(dequantize(back)).toEqual(dequantize(w.data));
  });
});
