// The CUDA backend's kernels: every operation of the kernel interface (engine/backends/kernels.ts)
// as CUDA C, compiled to PTX (kernels.ptx, committed) that the driver compiles at load time.
// Not here: the host side (backend.ts), the driver binding (driver.ts).
//
// Arithmetic follows the CPU reference (engine/backends/cpu, engine/quant) rather than speed:
// - float products and sums that the reference does in float64 (f32 matvec, norms, RoPE,
//   attention, softmax) are float64 here too, so results agree to the last float32 bit except
//   for summation order;
// - quantized products quantize the activation exactly as ggml (Q8_0: roundf of x/d, d as f16;
//   Q8_K: nearest-even of x * (-127/max)), take the integer dot of each block, then apply the
//   scales in float in the reference's order, block after block (and ggml's 8 float lanes for
//   the k-quants): bit-identical to engine/quant;
// - every float operation is an explicit round-to-nearest intrinsic (__fmul_rn, __fadd_rn, ...)
//   and the file is built with --fmad=false: no contraction into FMA, as ISO C.
// A non-finite activation has no quantized form: its block's scale becomes NaN, so every output
// of the product is NaN, as engine/quant/matvec.ts returns.
//
// Shapes (letters used below): a matrix w is [rows, cols] row-major; x: [cols]; out: [rows];
// nb = cols / block size; a head-major vector holds `heads` slices of `headDim` values;
// keys, values: [length, kvHeads * headDim].
//
// Device weight layouts (backend.ts repacks on upload):
//   f32   : float [rows * cols]
//   q8_0  : 36-byte blocks: int8 qs[32] at 0, f16 d at 32, 2 bytes pad (4-aligned quants)
//   q4_0  : 20-byte blocks: uint8 qs[16] at 0 (element j low nibble, j+16 high), f16 d at 16, pad
//   q4_k  : ggml's 144-byte blocks unchanged
//   q6_k  : ggml's 210-byte blocks unchanged
// Activation layouts (scratch written by quantize_a8_0 / quantize_a8_k):
//   A8_0  : int8 qs[n], float d[nb] (d is the f16 value ggml stores, widened)
//   A8_K  : int8 qs[n], float d[nb], int bsums[nb * 16] (sums of 16 quants)
//
// Launch geometry is the host's business; each kernel says what it expects.

#include <cuda_fp16.h>
#include <math_constants.h>

#define FULL 0xffffffffu

__device__ __forceinline__ float f16_at(const unsigned char* p) {
  return __half2float(__ushort_as_half(*(const unsigned short*)p));
}

__device__ __forceinline__ int warp_sum_int(int v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL, v, o);
  return v;
}

__device__ __forceinline__ double warp_sum_double(double v) {
  for (int o = 16; o > 0; o >>= 1) v = __dadd_rn(v, __shfl_xor_sync(FULL, v, o));
  return v;
}

// Block-wide sum of doubles; blockDim.x a multiple of 32, at most 1024. Every thread gets it.
__device__ double block_sum_double(double v) {
  __shared__ double partial[32];
  __shared__ double total;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = warp_sum_double(v);
  __syncthreads();  // partial/total may still be read by an earlier call
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    double s = lane < warps ? partial[lane] : 0.0;
    s = warp_sum_double(s);
    if (lane == 0) total = s;
  }
  __syncthreads();
  return total;
}

// Block-wide max of floats ignoring NaN (as `if (x > max) max = x` from -inf). Every thread gets it.
__device__ float block_max_float(float v) {
  __shared__ float partial[32];
  __shared__ float total;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL, v, o));
  __syncthreads();
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    float m = lane < warps ? partial[lane] : -CUDART_INF_F;
    for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(FULL, m, o));
    if (lane == 0) total = m;
  }
  __syncthreads();
  return total;
}

// ---------------------------------------------------------------------------------------------
// Activation quantization

// x: [n] -> A8_0. One warp per block of 32 values; n % 32 == 0. ggml's quantize_row_q8_0_ref.
extern "C" __global__ void quantize_a8_0(const float* __restrict__ x, int n, signed char* __restrict__ qs, float* __restrict__ d) {
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (warp >= n / 32) return;
  const float v = x[warp * 32 + lane];
  const bool finite = __all_sync(FULL, isfinite(v));
  float amax = fabsf(v);
  for (int o = 16; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(FULL, amax, o));
  const float dv = __fdiv_rn(amax, 127.0f);
  const float id = dv != 0.0f ? __fdiv_rn(1.0f, dv) : 0.0f;
  qs[warp * 32 + lane] = (signed char)(int)roundf(__fmul_rn(v, id));
  if (lane == 0) d[warp] = finite ? __half2float(__float2half_rn(dv)) : CUDART_NAN_F;
}

// x: [n] -> A8_K. One warp per super-block of 256; lane holds elements 32k + lane. n % 256 == 0.
// ggml's quantize_row_q8_K_ref: max is the value of largest magnitude, the first one on ties.
extern "C" __global__ void quantize_a8_k(const float* __restrict__ x, int n, signed char* __restrict__ qs, float* __restrict__ d, int* __restrict__ bsums) {
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (warp >= n / 256) return;
  const float* xb = x + warp * 256;
  float v[8];
  bool finite = true;
  float amax = 0.0f, max = 0.0f;
  int at = 0x7fffffff;
  for (int k = 0; k < 8; k++) {
    v[k] = xb[32 * k + lane];
    finite = finite && isfinite(v[k]);
    if (fabsf(v[k]) > amax) {  // indices ascend within a lane, so strict > keeps the first
      amax = fabsf(v[k]);
      max = v[k];
      at = 32 * k + lane;
    }
  }
  for (int o = 16; o > 0; o >>= 1) {
    const float oa = __shfl_xor_sync(FULL, amax, o), om = __shfl_xor_sync(FULL, max, o);
    const int oat = __shfl_xor_sync(FULL, at, o);
    if (oa > amax || (oa == amax && oat < at)) {
      amax = oa;
      max = om;
      at = oat;
    }
  }
  finite = __all_sync(FULL, finite);
  signed char* qb = qs + warp * 256;
  if (amax == 0.0f) {
    for (int k = 0; k < 8; k++) qb[32 * k + lane] = 0;
    if (lane < 16) bsums[warp * 16 + lane] = 0;
    if (lane == 0) d[warp] = finite ? 0.0f : CUDART_NAN_F;
    return;
  }
  const float iscale = __fdiv_rn(-127.0f, max);
  for (int k = 0; k < 8; k++) {
    const int q = min(127, __float2int_rn(__fmul_rn(iscale, v[k])));
    qb[32 * k + lane] = (signed char)q;
    // group of 16: lanes 0-15 of k are group 2k, lanes 16-31 group 2k+1
    int s = q;
    for (int o = 8; o > 0; o >>= 1) s += __shfl_xor_sync(FULL, s, o);
    if ((lane & 15) == 0) bsums[warp * 16 + 2 * k + (lane >> 4)] = s;
  }
  if (lane == 0) d[warp] = finite ? __fdiv_rn(1.0f, iscale) : CUDART_NAN_F;
}

// ---------------------------------------------------------------------------------------------
// Matrix-vector products. One warp per row; blockDim.x a multiple of 32; grid covers rows.
// bias: [rows] or null. out[r] = dot(w[r], x) (+ bias[r], added in float as the reference).

__device__ __forceinline__ void store_row(float* out, const float* bias, int row, float v) {
  out[row] = bias ? __fadd_rn(v, bias[row]) : v;
}

// w: f32 [rows, cols]; products exact in float64, summed in float64 (the reference's order
// differs only in the summation tree).
extern "C" __global__ void matvec_f32(const float* __restrict__ w, const float* __restrict__ x, const float* __restrict__ bias, float* __restrict__ out, int rows, int cols) {
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (row >= rows) return;
  const float* wr = w + (size_t)row * cols;
  double acc = 0.0;
  if ((cols & 3) == 0) {
    const float4* w4 = (const float4*)wr;
    const float4* x4 = (const float4*)x;
    for (int c = lane; c < cols / 4; c += 32) {
      const float4 a = w4[c], b = x4[c];
      acc = __dadd_rn(acc, __dmul_rn(a.x, b.x));
      acc = __dadd_rn(acc, __dmul_rn(a.y, b.y));
      acc = __dadd_rn(acc, __dmul_rn(a.z, b.z));
      acc = __dadd_rn(acc, __dmul_rn(a.w, b.w));
    }
  } else {
    for (int c = lane; c < cols; c += 32) acc = __dadd_rn(acc, __dmul_rn(wr[c], x[c]));
  }
  acc = warp_sum_double(acc);
  if (lane == 0) store_row(out, bias, row, __double2float_rn(acc));
}

// w: q8_0 (36-byte blocks), activation A8_0. 8 lanes per block, 4 blocks per step; the block
// terms f(f(sumi) * f(dw * da)) are added to sumf in block order (vec_dot_q8_0_q8_0).
extern "C" __global__ void matvec_q8_0(const unsigned char* __restrict__ w, const signed char* __restrict__ aq, const float* __restrict__ ad, const float* __restrict__ bias, float* __restrict__ out, int rows, int cols) {
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (row >= rows) return;
  const int nb = cols / 32, part = lane & 7;
  const unsigned char* wr = w + (size_t)row * nb * 36;
  float sumf = 0.0f;
  for (int b0 = 0; b0 < nb; b0 += 4) {
    const int b = b0 + (lane >> 3);
    int s = 0;
    float scale = 0.0f;
    if (b < nb) {
      s = __dp4a(*(const int*)(wr + b * 36 + 4 * part), *(const int*)(aq + b * 32 + 4 * part), 0);
      if (part == 0) scale = __fmul_rn(f16_at(wr + b * 36 + 32), ad[b]);
    }
    s += __shfl_xor_sync(FULL, s, 1);
    s += __shfl_xor_sync(FULL, s, 2);
    s += __shfl_xor_sync(FULL, s, 4);
    const float term = __fmul_rn(__int2float_rn(s), scale);
    for (int j = 0; j < 4; j++) {
      const float t = __shfl_sync(FULL, term, 8 * j);
      if (b0 + j < nb) sumf = __fadd_rn(sumf, t);
    }
  }
  if (lane == 0) store_row(out, bias, row, sumf);
}

// w: q4_0 (20-byte blocks), activation A8_0. 4 lanes per block, 8 blocks per step; block term
// f(f(f(sumi) * dw) * da) in block order (vec_dot_q4_0_q8_0). sumi = sum (q - 8) a.
extern "C" __global__ void matvec_q4_0(const unsigned char* __restrict__ w, const signed char* __restrict__ aq, const float* __restrict__ ad, const float* __restrict__ bias, float* __restrict__ out, int rows, int cols) {
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (row >= rows) return;
  const int nb = cols / 32, part = lane & 3;
  const unsigned char* wr = w + (size_t)row * nb * 20;
  float sumf = 0.0f;
  for (int b0 = 0; b0 < nb; b0 += 8) {
    const int b = b0 + (lane >> 2);
    int s = 0;
    float dw = 0.0f, da = 0.0f;
    if (b < nb) {
      const int packed = *(const int*)(wr + b * 20 + 4 * part);
      const int lo = packed & 0x0f0f0f0f, hi = (packed >> 4) & 0x0f0f0f0f;
      const int alo = *(const int*)(aq + b * 32 + 4 * part), ahi = *(const int*)(aq + b * 32 + 16 + 4 * part);
      s = __dp4a(lo, alo, 0) + __dp4a(hi, ahi, 0) - 8 * (__dp4a(0x01010101, alo, 0) + __dp4a(0x01010101, ahi, 0));
      if (part == 0) {
        dw = f16_at(wr + b * 20 + 16);
        da = ad[b];
      }
    }
    s += __shfl_xor_sync(FULL, s, 1);
    s += __shfl_xor_sync(FULL, s, 2);
    const float term = __fmul_rn(__fmul_rn(__int2float_rn(s), dw), da);
    for (int j = 0; j < 8; j++) {
      const float t = __shfl_sync(FULL, term, 4 * j);
      if (b0 + j < nb) sumf = __fadd_rn(sumf, t);
    }
  }
  if (lane == 0) store_row(out, bias, row, sumf);
}

// Sub-block j's 6-bit scale and min from the 12 packed bytes s (ggml's get_scale_min_k4).
__device__ __forceinline__ void scale_min_k4(int j, const unsigned char* s, int* sc, int* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
    *m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// w: q4_k (144-byte blocks), activation A8_K. Per super-block, lane l takes byte l of each of
// the 4 groups of 32; lanes l, l+8, l+16, l+24 form ggml's integer lane l & 7. Lanes 0-7 then
// keep ggml's 8 float lanes; the mins go through sumf (vec_dot_q4_K_q8_K).
extern "C" __global__ void matvec_q4_k(const unsigned char* __restrict__ w, const signed char* __restrict__ aq, const float* __restrict__ ad, const int* __restrict__ bsums, const float* __restrict__ bias, float* __restrict__ out, int rows, int cols) {
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (row >= rows) return;
  const int nb = cols / 256;
  const unsigned char* wr = w + (size_t)row * nb * 144;
  float sums = 0.0f, sumf = 0.0f;
  for (int i = 0; i < nb; i++) {
    const unsigned char* blk = wr + i * 144;
    const signed char* a = aq + i * 256;
    const int* bs = bsums + i * 16;
    int acc = 0, mins = 0;
    for (int g = 0; g < 4; g++) {
      int sc1, m1, sc2, m2;
      scale_min_k4(2 * g, blk + 4, &sc1, &m1);
      scale_min_k4(2 * g + 1, blk + 4, &sc2, &m2);
      const int q = blk[16 + 32 * g + lane];
      acc += sc1 * a[64 * g + lane] * (q & 0x0f) + sc2 * a[64 * g + 32 + lane] * (q >> 4);
      mins += (bs[4 * g] + bs[4 * g + 1]) * m1 + (bs[4 * g + 2] + bs[4 * g + 3]) * m2;
    }
    acc += __shfl_xor_sync(FULL, acc, 8);
    acc += __shfl_xor_sync(FULL, acc, 16);
    const float yd = ad[i];
    sums = __fadd_rn(sums, __fmul_rn(__fmul_rn(f16_at(blk), yd), __int2float_rn(acc)));
    sumf = __fsub_rn(sumf, __fmul_rn(__fmul_rn(f16_at(blk + 2), yd), __int2float_rn(mins)));
  }
  for (int l = 0; l < 8; l++) sumf = __fadd_rn(sumf, __shfl_sync(FULL, sums, l));
  if (lane == 0) store_row(out, bias, row, sumf);
}

// w: q6_k (210-byte blocks), activation A8_K. Lane l takes element l of each quarter of each
// half (ggml's layout); integer lanes and float lanes as matvec_q4_k (vec_dot_q6_K_q8_K).
extern "C" __global__ void matvec_q6_k(const unsigned char* __restrict__ w, const signed char* __restrict__ aq, const float* __restrict__ ad, const float* __restrict__ bias, float* __restrict__ out, int rows, int cols) {
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (row >= rows) return;
  const int nb = cols / 256;
  const unsigned char* wr = w + (size_t)row * nb * 210;
  float sums = 0.0f;
  for (int i = 0; i < nb; i++) {
    const unsigned char* blk = wr + i * 210;
    const signed char* a = aq + i * 256;
    int acc = 0;
    for (int h = 0; h < 2; h++) {
      const signed char* sc = (const signed char*)(blk + 192 + 8 * h + (lane >> 4));
      const int lo0 = blk[64 * h + lane], lo1 = blk[64 * h + 32 + lane], hi = blk[128 + 32 * h + lane];
      const int e = 128 * h + lane;
      acc += sc[0] * a[e] * (((lo0 & 0x0f) | ((hi & 3) << 4)) - 32) +
             sc[2] * a[e + 32] * (((lo1 & 0x0f) | (((hi >> 2) & 3) << 4)) - 32) +
             sc[4] * a[e + 64] * (((lo0 >> 4) | (((hi >> 4) & 3) << 4)) - 32) +
             sc[6] * a[e + 96] * (((lo1 >> 4) | ((hi >> 6) << 4)) - 32);
    }
    acc += __shfl_xor_sync(FULL, acc, 8);
    acc += __shfl_xor_sync(FULL, acc, 16);
    sums = __fadd_rn(sums, __fmul_rn(__fmul_rn(f16_at(blk + 208), ad[i]), __int2float_rn(acc)));
  }
  float sumf = 0.0f;
  for (int l = 0; l < 8; l++) sumf = __fadd_rn(sumf, __shfl_sync(FULL, sums, l));
  if (lane == 0) store_row(out, bias, row, sumf);
}

// ---------------------------------------------------------------------------------------------
// Norms. One block (blockDim.x a multiple of 32, at most 1024) per vector x: [n].

// out = x / sqrt(mean(x^2) + eps) * weight, in float64 as the reference.
extern "C" __global__ void rms_norm(const float* __restrict__ x, const float* __restrict__ weight, float* __restrict__ out, int n, double eps) {
  double ss = 0.0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) ss = __dadd_rn(ss, __dmul_rn(x[i], x[i]));
  ss = block_sum_double(ss);
  const double scale = 1.0 / sqrt(__dadd_rn(ss / n, eps));
  for (int i = threadIdx.x; i < n; i += blockDim.x) out[i] = __double2float_rn(__dmul_rn(__dmul_rn(x[i], scale), weight[i]));
}

// out = (x - mean) / sqrt(var + eps) * weight + bias (biased variance), in float64.
extern "C" __global__ void layer_norm(const float* __restrict__ x, const float* __restrict__ weight, const float* __restrict__ bias, float* __restrict__ out, int n, double eps) {
  double s = 0.0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) s = __dadd_rn(s, (double)x[i]);
  const double mean = block_sum_double(s) / n;
  double v = 0.0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const double t = __dsub_rn(x[i], mean);
    v = __dadd_rn(v, __dmul_rn(t, t));
  }
  const double scale = 1.0 / sqrt(__dadd_rn(block_sum_double(v) / n, eps));
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    out[i] = __double2float_rn(__dadd_rn(__dmul_rn(__dmul_rn(__dsub_rn(x[i], mean), scale), weight[i]), bias[i]));
  }
}

// ---------------------------------------------------------------------------------------------
// RoPE. x: [heads * headDim] rotated in place; cs: [headDim / 2][cos, sin] in float64 (the host
// computes the angles exactly as the reference). adjacent == 0: pairs (i, i + headDim/2) (split
// halves, HF / GGUF-permuted LLaMA and Qwen2); adjacent != 0: pairs (2i, 2i + 1) (GPT-J style).
// One thread per (head, pair); any 1-D launch covering heads * headDim / 2 threads.
extern "C" __global__ void rope(float* __restrict__ x, int heads, int headDim, const double* __restrict__ cs, int adjacent) {
  const int half = headDim / 2;
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= heads * half) return;
  const int h = t / half, i = t % half;
  const int a = adjacent ? h * headDim + 2 * i : h * headDim + i;
  const int b = adjacent ? a + 1 : a + half;
  const double c = cs[2 * i], s = cs[2 * i + 1];
  const double x0 = x[a], x1 = x[b];
  x[a] = __double2float_rn(__dsub_rn(__dmul_rn(x0, c), __dmul_rn(x1, s)));
  x[b] = __double2float_rn(__dadd_rn(__dmul_rn(x1, c), __dmul_rn(x0, s)));
}

// ---------------------------------------------------------------------------------------------
// Softmax over x[0..n) in place, max-subtracted, by one block: e = exp(x - max) in float64,
// stored as float; sum of the float64 e; x = x / sum (the reference's arithmetic).
__device__ void softmax_block(float* x, int n) {
  float m = -CUDART_INF_F;
  for (int i = threadIdx.x; i < n; i += blockDim.x) m = fmaxf(m, x[i]);
  m = block_max_float(m);
  double s = 0.0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const double e = exp(__dsub_rn(x[i], m));
    x[i] = __double2float_rn(e);
    s = __dadd_rn(s, e);
  }
  const double sum = block_sum_double(s);
  for (int i = threadIdx.x; i < n; i += blockDim.x) x[i] = __double2float_rn(__ddiv_rn(x[i], sum));
  __syncthreads();
}

// One block (blockDim.x a multiple of 32, at most 1024).
extern "C" __global__ void softmax(float* __restrict__ x, int n) {
  softmax_block(x, n);
}

// ---------------------------------------------------------------------------------------------
// Attention of one query over `length` cached positions. q, out: [heads * headDim];
// keys, values: [length, kvHeads * headDim] on the device; scores: scratch [heads * length].
// Query head h reads kv head floor(h / (heads / kvHeads)). One block per head (grid = heads),
// blockDim.x a multiple of 32, at most 1024. Scores are float (dot in float64 times scale),
// softmax as above, out[d] = sum_t p[t] * v[t, d] in float64.
extern "C" __global__ void attention(const float* __restrict__ q, const float* __restrict__ keys, const float* __restrict__ values, int length, int heads, int kvHeads, int headDim, double scale, float* __restrict__ scores, float* __restrict__ out) {
  __shared__ double partial[1024];
  const int h = blockIdx.x;
  const int kvStride = kvHeads * headDim;
  const int kvBase = (h / (heads / kvHeads)) * headDim;
  const float* qh = q + h * headDim;
  float* p = scores + (size_t)h * length;
  for (int t = threadIdx.x; t < length; t += blockDim.x) {
    const float* k = keys + (size_t)t * kvStride + kvBase;
    double dot = 0.0;
    for (int d = 0; d < headDim; d++) dot = __dadd_rn(dot, __dmul_rn(qh[d], k[d]));
    p[t] = __double2float_rn(__dmul_rn(dot, scale));
  }
  __syncthreads();
  softmax_block(p, length);
  // groups of headDim threads each sum a stride of positions; then the groups are added in order
  const int groups = headDim <= (int)blockDim.x ? blockDim.x / headDim : 1;
  const int g = threadIdx.x / headDim;
  for (int d0 = 0; d0 < headDim; d0 += blockDim.x) {
    const int d = d0 + threadIdx.x % headDim;
    double acc = 0.0;
    if (g < groups && d < headDim) {
      for (int t = g; t < length; t += groups) acc = __dadd_rn(acc, __dmul_rn(p[t], values[(size_t)t * kvStride + kvBase + d]));
    }
    partial[threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.x < headDim && d0 + threadIdx.x < headDim) {
      double s = 0.0;
      for (int j = 0; j < groups; j++) s = __dadd_rn(s, partial[j * headDim + threadIdx.x]);
      out[h * headDim + d0 + threadIdx.x] = __double2float_rn(s);
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------------------------------------
// Argmax: index of the largest of x[0..n), the first on ties, as the reference's scan
// (`if (x[i] > x[best]) best = i` from best = 0): NaN never wins, and a NaN x[0] stays.
// One block (blockDim.x a multiple of 32, at most 1024); result in *index.
extern "C" __global__ void argmax(const float* __restrict__ x, int n, int* __restrict__ index) {
  __shared__ float bestValue[32];
  __shared__ int bestIndex[32];
  float bv = -CUDART_INF_F;
  int bi = -1;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const float v = x[i];
    if (!isnan(v) && (bi < 0 || v > bv)) {
      bv = v;
      bi = i;
    }
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(FULL, bv, o);
    const int oi = __shfl_xor_sync(FULL, bi, o);
    if (oi >= 0 && (bi < 0 || ov > bv || (ov == bv && oi < bi))) {
      bv = ov;
      bi = oi;
    }
  }
  if (lane == 0) {
    bestValue[warp] = bv;
    bestIndex[warp] = bi;
  }
  __syncthreads();
  if (warp == 0) {
    bv = lane < warps ? bestValue[lane] : -CUDART_INF_F;
    bi = lane < warps ? bestIndex[lane] : -1;
    for (int o = 16; o > 0; o >>= 1) {
      const float ov = __shfl_xor_sync(FULL, bv, o);
      const int oi = __shfl_xor_sync(FULL, bi, o);
      if (oi >= 0 && (bi < 0 || ov > bv || (ov == bv && oi < bi))) {
        bv = ov;
        bi = oi;
      }
    }
    if (lane == 0) *index = (n == 0 || isnan(x[0]) || bi < 0) ? 0 : bi;
  }
}
