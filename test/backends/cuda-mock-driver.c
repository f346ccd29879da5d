// A stand-in for libcuda.so.1 that runs no kernel: it checks what the CUDA backend's host side
// passes to the driver, on a machine without a GPU. Device memory is host memory handed out at
// addresses above 2^62 (so above 2^53: koffi must give them as BigInt, and a 32-bit truncation
// is caught), every copy and every pointer argument of a launch is bounds-checked against the
// live allocations, modules must be NUL-terminated PTX, and a launch reads exactly the
// parameters that the PTX .entry declares (count and sizes). Counters for the tests come from
// mock_stats(). MOCK_CUDA_DEVICES=0 in the environment: a driver that finds no device.
// Built by test/backends/cuda-host.test.ts with cc; never part of the engine.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG (1ull << 62)
#define MAX_ALLOCS 4096
#define MAX_FUNCS 64

typedef struct { uint64_t dptr; size_t bytes; unsigned char *host; } Alloc;
typedef struct { char name[64]; int nparams; int sizes[32]; char kinds[32]; } Func;

static Alloc allocs[MAX_ALLOCS];
static Func funcs[MAX_FUNCS];
static int nfuncs = 0;
static uint64_t next_addr = TAG | 0x100000000ull;
static long long launches = 0, htod_bytes = 0, dtoh_bytes = 0, htod_calls = 0, dtoh_calls = 0, live = 0;
static char last_error[256] = "";
static int ctx_live = 0;

static int devices(void) {
  const char *e = getenv("MOCK_CUDA_DEVICES");
  return e ? atoi(e) : 1;
}

static int fail(int code, const char *what) {
  snprintf(last_error, sizeof last_error, "%s", what);
  return code;
}

// the allocation holding [p, p + n), or NULL
static Alloc *find(uint64_t p, size_t n) {
  for (int i = 0; i < MAX_ALLOCS; i++) {
    Alloc *a = &allocs[i];
    if (a->dptr && p >= a->dptr && p + n <= a->dptr + a->bytes) return a;
  }
  return NULL;
}

int cuInit(unsigned int flags) { (void)flags; return devices() > 0 ? 0 : 100; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuDeviceGetCount(int *n) { *n = devices(); return 0; }
int cuDeviceGet(int *d, int ordinal) { if (ordinal < 0 || ordinal >= devices()) return 101; *d = ordinal; return 0; }
int cuDeviceGetName(char *name, int len, int dev) { snprintf(name, len, "Mock CUDA device %d", dev); return 0; }
int cuCtxCreate_v2(void **ctx, unsigned int flags, int dev) { (void)flags; (void)dev; ctx_live++; *ctx = (void *)0x1234; return 0; }
int cuCtxSynchronize(void) { return 0; }

int cuCtxDestroy_v2(void *ctx) {
  if (ctx != (void *)0x1234 || ctx_live <= 0) return fail(201, "cuCtxDestroy_v2: bad context");
  ctx_live--;
  for (int i = 0; i < MAX_ALLOCS; i++) if (allocs[i].dptr) { free(allocs[i].host); allocs[i].dptr = 0; live--; }
  return 0;
}

int cuMemAlloc_v2(uint64_t *p, size_t bytes) {
  if (bytes == 0) return fail(1, "cuMemAlloc_v2: 0 bytes");
  for (int i = 0; i < MAX_ALLOCS; i++) {
    if (!allocs[i].dptr) {
      allocs[i].host = calloc(1, bytes);
      if (!allocs[i].host) return 2;
      allocs[i].dptr = next_addr;
      allocs[i].bytes = bytes;
      next_addr += (bytes + 0xfff) & ~0xfffull;
      *p = allocs[i].dptr;
      live++;
      return 0;
    }
  }
  return fail(2, "cuMemAlloc_v2: too many allocations");
}

int cuMemFree_v2(uint64_t p) {
  for (int i = 0; i < MAX_ALLOCS; i++) {
    if (allocs[i].dptr == p && p) { free(allocs[i].host); allocs[i].dptr = 0; live--; return 0; }
  }
  return fail(1, "cuMemFree_v2: not an allocation");
}

int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t n) {
  Alloc *a = find(dst, n);
  if (!a) return fail(1, "cuMemcpyHtoD_v2: destination outside every allocation");
  memcpy(a->host + (dst - a->dptr), src, n);
  htod_bytes += n;
  htod_calls++;
  return 0;
}

int cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t n) {
  Alloc *a = find(src, n);
  if (!a) return fail(1, "cuMemcpyDtoH_v2: source outside every allocation");
  memcpy(dst, a->host + (src - a->dptr), n);
  dtoh_bytes += n;
  dtoh_calls++;
  return 0;
}

// Module: the NUL-terminated PTX; each `.entry name(` with its `.param .TYPE` list is a function.
int cuModuleLoadData(void **mod, const void *image) {
  const char *ptx = image;
  size_t len = strnlen(ptx, 64 << 20);
  if (len == (64 << 20)) return fail(218, "cuModuleLoadData: image not NUL-terminated");
  if (!strstr(ptx, ".version") || !strstr(ptx, ".target")) return fail(218, "cuModuleLoadData: not PTX");
  for (const char *e = strstr(ptx, ".entry "); e && nfuncs < MAX_FUNCS; e = strstr(e + 1, ".entry ")) {
    Func *f = &funcs[nfuncs++];
    const char *name = e + 7;
    size_t n = strcspn(name, "( \n");
    if (n >= sizeof f->name) n = sizeof f->name - 1;
    memcpy(f->name, name, n);
    f->name[n] = 0;
    f->nparams = 0;
    const char *end = strchr(e, ')');
    for (const char *p = strstr(e, ".param ."); p && p < end && f->nparams < 32; p = strstr(p + 1, ".param .")) {
      // ".param .u64 name": kind 'u' / 'f' / 's' / 'b', then the size in bits
      f->kinds[f->nparams] = p[8];
      f->sizes[f->nparams++] = atoi(p + 9) / 8;
    }
  }
  *mod = (void *)0x5678;
  return 0;
}

int cuModuleGetFunction(void **fn, void *mod, const char *name) {
  if (mod != (void *)0x5678) return fail(400, "cuModuleGetFunction: bad module");
  for (int i = 0; i < nfuncs; i++) if (!strcmp(funcs[i].name, name)) { *fn = &funcs[i]; return 0; }
  return fail(500, "cuModuleGetFunction: no such kernel");
}

int cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared, void *stream, void **params, void *extra) {
  (void)stream; (void)extra; (void)shared;
  Func *f = fn;
  if (f < funcs || f >= funcs + nfuncs) return fail(400, "cuLaunchKernel: bad function");
  if (!gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024) return fail(1, "cuLaunchKernel: bad geometry");
  if (!params) return fail(1, "cuLaunchKernel: no parameters");
  for (int i = 0; i < f->nparams; i++) {
    if (!params[i]) return fail(1, "cuLaunchKernel: null parameter pointer");
    if (f->kinds[i] == 'u' && f->sizes[i] == 8) {
      // every .u64 parameter of kernels.cu is a pointer: null or inside a live allocation
      uint64_t v = *(uint64_t *)params[i];
      if (v && !find(v, 1)) {
        snprintf(last_error, sizeof last_error, "cuLaunchKernel %s: parameter %d = 0x%llx is not a live allocation", f->name, i, (unsigned long long)v);
        return 1;
      }
    }
  }
  launches++;
  return 0;
}

int cuGetErrorName(int code, const char **name) {
  switch (code) {
    case 0: *name = "CUDA_SUCCESS"; return 0;
    case 1: *name = "CUDA_ERROR_INVALID_VALUE"; return 0;
    case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
    case 100: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
    case 101: *name = "CUDA_ERROR_INVALID_DEVICE"; return 0;
    case 201: *name = "CUDA_ERROR_INVALID_CONTEXT"; return 0;
    case 218: *name = "CUDA_ERROR_INVALID_PTX"; return 0;
    case 400: *name = "CUDA_ERROR_INVALID_HANDLE"; return 0;
    case 500: *name = "CUDA_ERROR_NOT_FOUND"; return 0;
    default: *name = NULL; return 1;
  }
}

int cuGetErrorString(int code, const char **text) {
  (void)code;
  *text = last_error[0] ? last_error : "mock error";
  return 0;
}

// For the tests: counters since load, as "launches htodBytes dtohBytes htodCalls dtohCalls liveAllocations".
const char *mock_stats(void) {
  static char buf[256];
  snprintf(buf, sizeof buf, "%lld %lld %lld %lld %lld %lld", launches, htod_bytes, dtoh_bytes, htod_calls, dtoh_calls, live);
  return buf;
}

// Writes into device memory directly (the tests stand in for a kernel's output).
int mock_poke(uint64_t dst, const void *src, size_t n) {
  Alloc *a = find(dst, n);
  if (!a) return 1;
  memcpy(a->host + (dst - a->dptr), src, n);
  return 0;
}
