// The CUDA driver API (libcuda.so.1) through koffi: just what the CUDA backend needs, with the
// versioned symbols named explicitly. The unversioned cuMemAlloc / cuMemcpy* / cuCtxCreate are
// the legacy ABI with 32-bit device pointers and truncate silently; the _v2 ones take 64-bit
// CUdeviceptr. Device pointers are BigInt everywhere (koffi returns values above 2^53 as BigInt
// and smaller ones as numbers: both are normalized here). Every CUresult is checked and a
// failure becomes a RefuteError naming the call and CUDA's error name.
// No CUDA toolkit is needed at run time: modules are loaded from PTX text (NUL-terminated) and
// the driver compiles it. Not here: kernels (kernels.cu), the kernel interface (backend.ts).

import { createRequire } from "node:module";
import type { LibraryHandle } from "koffi";
import { RefuteError } from "../../../core/errors.ts";

export type DevicePtr = bigint;
/** A kernel parameter's type as the PTX declares it: .u64 (a device pointer), .u32 (int), .f32, .f64. */
export type ArgKind = "ptr" | "i32" | "f32" | "f64";

export const DEFAULT_LIBRARY = "libcuda.so.1";

export type CudaProbe =
  | { available: true; library: string; driverVersion: number; devices: string[] }
  | { available: false; library: string; reason: string };

// The CUresult values the backend itself reasons about.
const CUDA_SUCCESS = 0;
const CUDA_ERROR_NO_DEVICE = 100;

interface DriverApi {
  cuInit(flags: number): number;
  cuDriverGetVersion(version: number[]): number;
  cuDeviceGetCount(count: number[]): number;
  cuDeviceGet(device: number[], ordinal: number): number;
  cuDeviceGetName(name: Buffer, length: number, device: number): number;
  cuCtxCreate_v2(ctx: unknown[], flags: number, device: number): number;
  cuCtxDestroy_v2(ctx: unknown): number;
  cuCtxSynchronize(): number;
  cuModuleLoadData(module: unknown[], image: Buffer): number;
  cuModuleGetFunction(fn: unknown[], module: unknown, name: string): number;
  cuMemAlloc_v2(ptr: (number | bigint)[], bytes: number): number;
  cuMemFree_v2(ptr: DevicePtr): number;
  cuMemcpyHtoD_v2(dst: DevicePtr, src: ArrayBufferView, bytes: number): number;
  cuMemcpyDtoH_v2(dst: ArrayBufferView, src: DevicePtr, bytes: number): number;
  cuLaunchKernel(fn: unknown, gx: number, gy: number, gz: number, bx: number, by: number, bz: number, shared: number, stream: null, params: bigint, extra: null): number;
  cuGetErrorName(code: number, name: (string | null)[]): number;
  cuGetErrorString(code: number, text: (string | null)[]): number;
}

const PROTOTYPES: Record<keyof DriverApi, string> = {
  cuInit: "int cuInit(unsigned int flags)",
  cuDriverGetVersion: "int cuDriverGetVersion(_Out_ int *version)",
  cuDeviceGetCount: "int cuDeviceGetCount(_Out_ int *count)",
  cuDeviceGet: "int cuDeviceGet(_Out_ int *device, int ordinal)",
  cuDeviceGetName: "int cuDeviceGetName(void *name, int len, int device)",
  cuCtxCreate_v2: "int cuCtxCreate_v2(_Out_ void **ctx, unsigned int flags, int device)",
  cuCtxDestroy_v2: "int cuCtxDestroy_v2(void *ctx)",
  cuCtxSynchronize: "int cuCtxSynchronize()",
  cuModuleLoadData: "int cuModuleLoadData(_Out_ void **module, const void *image)",
  cuModuleGetFunction: "int cuModuleGetFunction(_Out_ void **fn, void *module, const char *name)",
  cuMemAlloc_v2: "int cuMemAlloc_v2(_Out_ uint64_t *ptr, size_t bytes)",
  cuMemFree_v2: "int cuMemFree_v2(uint64_t ptr)",
  cuMemcpyHtoD_v2: "int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes)",
  cuMemcpyDtoH_v2: "int cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t bytes)",
  cuLaunchKernel:
    "int cuLaunchKernel(void *fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int shared, void *stream, void *params, void *extra)",
  cuGetErrorName: "int cuGetErrorName(int code, _Out_ const char **name)",
  cuGetErrorString: "int cuGetErrorString(int code, _Out_ const char **text)",
};

const loaded = new Map<string, DriverApi>();

type Koffi = typeof import("koffi").default;
let koffiModule: Koffi | null = null;

/** koffi, loaded on first use: a machine where its native part cannot load gets a reason, not a crash at import. */
function koffi(): Koffi {
  koffiModule ??= createRequire(import.meta.url)("koffi") as Koffi;
  return koffiModule;
}

/** Binds the driver library; a library that cannot be loaded or lacks a symbol is CUDA_UNAVAILABLE. */
function bindDriver(library: string): DriverApi {
  const cached = loaded.get(library);
  if (cached) return cached;
  let ffi: Koffi;
  try {
    ffi = koffi();
  } catch (e) {
    throw new RefuteError("CUDA_UNAVAILABLE", `koffi (the FFI that reaches ${library}) could not be loaded: ${(e as Error).message}`, { library });
  }
  let lib: LibraryHandle;
  try {
    lib = ffi.load(library);
  } catch (e) {
    throw new RefuteError("CUDA_UNAVAILABLE", `${library} could not be loaded (no NVIDIA driver on this machine): ${(e as Error).message}`, { library });
  }
  const api = {} as Record<string, unknown>;
  for (const [name, prototype] of Object.entries(PROTOTYPES)) {
    try {
      api[name] = lib.func(prototype);
    } catch (e) {
      throw new RefuteError("CUDA_UNAVAILABLE", `${library} lacks ${name}: ${(e as Error).message}`, { library, symbol: name });
    }
  }
  loaded.set(library, api as unknown as DriverApi);
  return api as unknown as DriverApi;
}

function errorName(api: DriverApi, code: number): { name: string; text: string } {
  const name: (string | null)[] = [null];
  const text: (string | null)[] = [null];
  const known = api.cuGetErrorName(code, name) === CUDA_SUCCESS && name[0];
  api.cuGetErrorString(code, text);
  return { name: known ? (name[0] as string) : `CUresult ${code}`, text: text[0] ?? "" };
}

function cudaError(api: DriverApi, call: string, code: number, facts: Record<string, unknown> = {}): RefuteError {
  const { name, text } = errorName(api, code);
  const hint = code === 222 || code === 218 ? " (this PTX needs a newer driver: CUDA 13's PTX 9.0 needs r580+)" : "";
  return new RefuteError("CUDA_ERROR", `${call} failed: ${name}${text ? ` (${text})` : ""}${hint}`, { call, code, name, ...facts });
}

function check(api: DriverApi, call: string, code: number, facts?: Record<string, unknown>): void {
  if (code !== CUDA_SUCCESS) throw cudaError(api, call, code, facts);
}

/** koffi gives uint64 outputs as number below 2^53 and BigInt above: always BigInt here. */
function toPtr(v: number | bigint): DevicePtr {
  return typeof v === "bigint" ? v : BigInt(v);
}

/**
 * Whether this machine can run the CUDA backend, and if not why: the library is missing, the
 * driver finds no device, or a call fails. Never throws.
 */
export function probeCuda(library: string = DEFAULT_LIBRARY): CudaProbe {
  let api: DriverApi;
  try {
    api = bindDriver(library);
  } catch (e) {
    return { available: false, library, reason: (e as Error).message };
  }
  try {
    const init = api.cuInit(0);
    if (init === CUDA_ERROR_NO_DEVICE) return { available: false, library, reason: `no CUDA device: cuInit reports ${errorName(api, init).name}` };
    check(api, "cuInit", init);
    const version = [0];
    check(api, "cuDriverGetVersion", api.cuDriverGetVersion(version));
    const count = [0];
    check(api, "cuDeviceGetCount", api.cuDeviceGetCount(count));
    if (count[0] === 0) return { available: false, library, reason: "no CUDA device: cuDeviceGetCount reports 0 devices" };
    const devices: string[] = [];
    for (let i = 0; i < count[0]; i++) devices.push(deviceName(api, i));
    return { available: true, library, driverVersion: version[0], devices };
  } catch (e) {
    return { available: false, library, reason: (e as Error).message };
  }
}

function deviceName(api: DriverApi, ordinal: number): string {
  const device = [0];
  check(api, "cuDeviceGet", api.cuDeviceGet(device, ordinal), { ordinal });
  const name = Buffer.alloc(256);
  check(api, "cuDeviceGetName", api.cuDeviceGetName(name, name.length, device[0]), { ordinal });
  const end = name.indexOf(0);
  return name.subarray(0, end < 0 ? name.length : end).toString("utf8");
}

export interface CudaFunction {
  readonly name: string;
  readonly handle: unknown;
}

const MAX_ARGS = 32;

/** One context on one device; everything the backend does goes through here. */
export class CudaContext {
  private closed = false;
  // kernel arguments: one 8-byte slot each in native memory, and the array of their addresses
  private readonly argSlots: bigint;
  private readonly argPointers: bigint;
  private readonly argView: DataView;

  private constructor(
    private readonly api: DriverApi,
    private readonly ctx: unknown,
    readonly deviceName: string,
    readonly driverVersion: number,
  ) {
    const k = koffi();
    this.argSlots = k.alloc("uint8_t", 8 * MAX_ARGS) as bigint;
    this.argPointers = k.alloc("uint64_t", MAX_ARGS) as bigint;
    this.argView = new DataView(k.view(this.argSlots, 8 * MAX_ARGS));
    const pointers = new DataView(k.view(this.argPointers, 8 * MAX_ARGS));
    for (let i = 0; i < MAX_ARGS; i++) pointers.setBigUint64(8 * i, this.argSlots + BigInt(8 * i), true);
  }

  /** A context on device `ordinal`; CUDA_UNAVAILABLE (with the probe's reason) when there is none. */
  static create(options: { library?: string; device?: number } = {}): CudaContext {
    const library = options.library ?? DEFAULT_LIBRARY;
    const probe = probeCuda(library);
    if (!probe.available) throw new RefuteError("CUDA_UNAVAILABLE", `blocked: no CUDA device (${probe.reason})`, { library, reason: probe.reason });
    const api = bindDriver(library);
    const ordinal = options.device ?? 0;
    if (!(ordinal >= 0 && ordinal < probe.devices.length)) {
      throw new RefuteError("CUDA_UNAVAILABLE", `blocked: no CUDA device ${ordinal} (this machine has ${probe.devices.length})`, { library, device: ordinal });
    }
    const device = [0];
    check(api, "cuDeviceGet", api.cuDeviceGet(device, ordinal), { ordinal });
    const ctx: unknown[] = [null];
    check(api, "cuCtxCreate_v2", api.cuCtxCreate_v2(ctx, 0, device[0]), { ordinal });
    return new CudaContext(api, ctx[0], probe.devices[ordinal], probe.driverVersion);
  }

  private live(call: string): void {
    if (this.closed) throw new RefuteError("CUDA_CLOSED", `${call}: the CUDA context was closed`, { call });
  }

  alloc(bytes: number): DevicePtr {
    this.live("cuMemAlloc_v2");
    const out: (number | bigint)[] = [0];
    check(this.api, "cuMemAlloc_v2", this.api.cuMemAlloc_v2(out, Math.max(1, bytes)), { bytes });
    return toPtr(out[0]);
  }

  free(ptr: DevicePtr): void {
    if (this.closed) return; // destroying the context freed everything
    check(this.api, "cuMemFree_v2", this.api.cuMemFree_v2(ptr));
  }

  /** Copies the bytes of `src` (a view: its offset and length) to device memory at `dst`. */
  upload(dst: DevicePtr, src: ArrayBufferView): void {
    this.live("cuMemcpyHtoD_v2");
    if (src.byteLength === 0) return;
    check(this.api, "cuMemcpyHtoD_v2", this.api.cuMemcpyHtoD_v2(dst, src, src.byteLength), { bytes: src.byteLength });
  }

  /** Copies device memory at `src` into the bytes of `dst` (waits for earlier work). */
  download(dst: ArrayBufferView, src: DevicePtr): void {
    this.live("cuMemcpyDtoH_v2");
    if (dst.byteLength === 0) return;
    check(this.api, "cuMemcpyDtoH_v2", this.api.cuMemcpyDtoH_v2(dst, src, dst.byteLength), { bytes: dst.byteLength, note: "an error here may come from an earlier kernel" });
  }

  /** Loads PTX text (the driver compiles it for the device) and returns the named kernels. */
  loadModule(ptx: string, names: readonly string[]): Map<string, CudaFunction> {
    this.live("cuModuleLoadData");
    const image = Buffer.concat([Buffer.from(ptx, "utf8"), Buffer.from([0])]); // NUL-terminated
    const mod: unknown[] = [null];
    check(this.api, "cuModuleLoadData", this.api.cuModuleLoadData(mod, image), { bytes: image.length, driverVersion: this.driverVersion });
    const functions = new Map<string, CudaFunction>();
    for (const name of names) {
      const fn: unknown[] = [null];
      check(this.api, "cuModuleGetFunction", this.api.cuModuleGetFunction(fn, mod[0], name), { kernel: name });
      functions.set(name, { name, handle: fn[0] });
    }
    return functions;
  }

  /** Launches `fn` on the default stream with values[i] packed as kinds[i] (the kernel's parameters in order). */
  launch(fn: CudaFunction, grid: number, block: number, kinds: readonly ArgKind[], values: readonly (DevicePtr | number | null)[], sharedBytes = 0): void {
    this.live("cuLaunchKernel");
    if (kinds.length > MAX_ARGS || values.length !== kinds.length) {
      throw new RefuteError("CUDA_ARGS", `${fn.name}: ${values.length} arguments for ${kinds.length} parameters (at most ${MAX_ARGS})`, { kernel: fn.name, expected: kinds.length, found: values.length });
    }
    for (let i = 0; i < kinds.length; i++) {
      const v = values[i];
      const at = 8 * i;
      switch (kinds[i]) {
        case "ptr":
          this.argView.setBigUint64(at, v === null ? 0n : BigInt(v), true);
          break;
        case "i32":
          this.argView.setInt32(at, v as number, true);
          break;
        case "f32":
          this.argView.setFloat32(at, v as number, true);
          break;
        case "f64":
          this.argView.setFloat64(at, v as number, true);
          break;
      }
    }
    check(this.api, "cuLaunchKernel", this.api.cuLaunchKernel(fn.handle, grid, 1, 1, block, 1, 1, sharedBytes, null, this.argPointers, null), { kernel: fn.name, grid, block });
  }

  synchronize(): void {
    this.live("cuCtxSynchronize");
    check(this.api, "cuCtxSynchronize", this.api.cuCtxSynchronize());
  }

  /** Destroys the context (and with it every allocation and module). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    koffi().free(this.argSlots);
    koffi().free(this.argPointers);
    check(this.api, "cuCtxDestroy_v2", this.api.cuCtxDestroy_v2(this.ctx));
  }
}
