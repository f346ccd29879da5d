;; The WebAssembly SIMD kernels of the cpu-wasm backend, assembled at load time by module.ts.
;; Every function works on byte offsets into the one shared memory; kernels.ts owns the
;; layout and calls these, from the main thread and from the worker threads.
;;
;; Memory: [0, 4096) the thread control block (pool.ts), [4096, 65536) 256 bytes of
;; scratch per thread (at most 240 threads, module.ts), [65536, 327680) the f16 table
;; (value of every half, 65536 f32, as ggml's ggml_table_f32_f16), then an arena. The kernels
;; read halves through the table inline: Node 20's V8 does not inline calls between WebAssembly
;; functions, and a call per block made the Q8_0 product three times slower.
;;
;; Activation layouts (quantized exactly as llama.cpp does, stored widened for SIMD):
;;   A8_0 over n = 32*nb values: qs int16 [nb*32] at a (de-interleaved per block, see quantize_q8_0),
;;        then d f32 [nb] (the f16-rounded scale)
;;   A8_K over n = 256*nb values: qs int16 [nb*256] at a, then d f32 [nb], then bsums int32 [nb*16]
;; Matrix products: w: [rows, cols] row-major (f32 or ggml blocks), rows [r0, r1) are written
;; to out[r] (f32). The integer parts are exact. Q8_0 and Q4_0 scale them into float lanes as
;; ggml's SIMD code does (agreeing with engine/quant to float32 rounding); Q4_K and Q6_K follow
;; ggml's generic C code operation by operation (same order, binary32 rounding, no fused
;; multiply-add), so they are bit-identical to engine/quant.

(module
  (import "env" "memory" (memory 6 65536 shared))

  ;; the calling thread's 256 bytes of scratch (kernels-revec.wat stores accumulators there): each
  ;; instance (the main thread's, each worker's) sets its own with its thread index
  (global $scratch (mut i32) (i32.const 4096))
  (func (export "set_thread") (param $index i32)
    (global.set $scratch (i32.add (i32.const 4096) (i32.shl (local.get $index) (i32.const 8)))))

  ;; the matrix products by weight type (0 f32, 1 q8_0, 2 q4_0, 3 q4_k, 4 q6_k), for matvec_multi
  ;; and matmul; at 5 + type, the four-token products of the types that have one
  (type $matvec (func (param i32 i32 i32 i32 i32 i32)))
  (type $matmul4 (func (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (table 8 funcref)
  (elem (i32.const 0) $matvec_f32 $matvec_q8_0 $matvec_q4_0 $matvec_q4_k $matvec_q6_k $matmul4_f32 $matmul4_q8_0 $matmul4_q4_0)

  ;; ggml's GGML_FP32_TO_FP16 (fp16 library algorithm): round to nearest even, inf/nan kept.
  (func $fp32_to_fp16 (param $f f32) (result i32) (local $w i32) (local $shl1 i32) (local $bias i32) (local $base f32) (local $bits i32)
    (local.set $w (i32.reinterpret_f32 (local.get $f)))
    (local.set $shl1 (i32.add (local.get $w) (local.get $w)))
    (local.set $base (f32.mul (f32.mul (f32.abs (local.get $f)) (f32.const 0x1p+112)) (f32.const 0x1p-110)))
    (local.set $bias (i32.and (local.get $shl1) (i32.const 0xFF000000)))
    (if (i32.lt_u (local.get $bias) (i32.const 0x71000000)) (then (local.set $bias (i32.const 0x71000000))))
    (local.set $base (f32.add (f32.reinterpret_i32 (i32.add (i32.shr_u (local.get $bias) (i32.const 1)) (i32.const 0x07800000))) (local.get $base)))
    (local.set $bits (i32.reinterpret_f32 (local.get $base)))
    (i32.or
      (i32.shr_u (i32.and (local.get $w) (i32.const 0x80000000)) (i32.const 16))
      (select
        (i32.const 0x7E00)
        (i32.add (i32.and (i32.shr_u (local.get $bits) (i32.const 13)) (i32.const 0x7C00)) (i32.and (local.get $bits) (i32.const 0x0FFF)))
        (i32.gt_u (local.get $shl1) (i32.const 0xFF000000)))))

  (func $hsum_i32x4 (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; x: f32 [nb*32] at $x -> A8_0 at $a (quantize_row_q8_0_ref). Returns 1 when some x is not finite.
  ;; The 32 quants of a block are stored de-interleaved (even elements 0..14, odd 1..15, even
  ;; 16..30, odd 17..31) so the products can split weight bytes with 16-bit shifts; block sums
  ;; are order-free.
  ;; The block's eight vectors are loaded once. amax by pmax (one maxps; the NaN-propagating
  ;; f32x4.max costs V8 several instructions): a non-finite block is flagged apart, by the sum of
  ;; v - v, which is NaN exactly when some v is not finite. roundf(v) from t = trunc(2v), exact
  ;; since 2v is: roundf(v) = ceil(t / 2) = (t >> 1) + (t & 1) for v >= 0, floor(t / 2) = t >> 1
  ;; below; past int8 it saturates as the narrowing does (checked once exhaustively, every float32
  ;; against roundf by trunc, compare and add). Written out for each vector: V8 does not inline a
  ;; function here, and a call each ran 25% slower.
  (func $quantize_q8_0 (export "quantize_q8_0") (param $x i32) (param $a i32) (param $nb i32) (result i32)
    (local $b i32) (local $p i32) (local $q i32) (local $bad v128) (local $m v128)
    (local $amax f32) (local $d f32) (local $id f32) (local $vid v128) (local $one v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v4 v128) (local $v5 v128) (local $v6 v128) (local $v7 v128)
    (local.set $one (v128.const i32x4 1 1 1 1))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b) (local.get $nb)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 7))))
      (local.set $v0 (v128.load offset=0 (local.get $p)))
      (local.set $v1 (v128.load offset=16 (local.get $p)))
      (local.set $v2 (v128.load offset=32 (local.get $p)))
      (local.set $v3 (v128.load offset=48 (local.get $p)))
      (local.set $v4 (v128.load offset=64 (local.get $p)))
      (local.set $v5 (v128.load offset=80 (local.get $p)))
      (local.set $v6 (v128.load offset=96 (local.get $p)))
      (local.set $v7 (v128.load offset=112 (local.get $p)))
      (local.set $bad (f32x4.add (local.get $bad) (f32x4.add
        (f32x4.add (f32x4.add (f32x4.sub (local.get $v0) (local.get $v0)) (f32x4.sub (local.get $v1) (local.get $v1))) (f32x4.add (f32x4.sub (local.get $v2) (local.get $v2)) (f32x4.sub (local.get $v3) (local.get $v3))))
        (f32x4.add (f32x4.add (f32x4.sub (local.get $v4) (local.get $v4)) (f32x4.sub (local.get $v5) (local.get $v5))) (f32x4.add (f32x4.sub (local.get $v6) (local.get $v6)) (f32x4.sub (local.get $v7) (local.get $v7)))))))
      (local.set $m (f32x4.pmax
        (f32x4.pmax (f32x4.pmax (f32x4.abs (local.get $v0)) (f32x4.abs (local.get $v1))) (f32x4.pmax (f32x4.abs (local.get $v2)) (f32x4.abs (local.get $v3))))
        (f32x4.pmax (f32x4.pmax (f32x4.abs (local.get $v4)) (f32x4.abs (local.get $v5))) (f32x4.pmax (f32x4.abs (local.get $v6)) (f32x4.abs (local.get $v7))))))
      (local.set $m (f32x4.pmax (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
      (local.set $amax (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m))))
      (local.set $d (f32.div (local.get $amax) (f32.const 127)))
      (local.set $id (select (f32.div (f32.const 1) (local.get $d)) (f32.const 0) (f32.ne (local.get $d) (f32.const 0))))
      (f32.store (i32.add (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 6))) (i32.shl (local.get $b) (i32.const 2)))
        (f32.load offset=65536 (i32.shl (call $fp32_to_fp16 (local.get $d)) (i32.const 2))))
      (local.set $vid (f32x4.splat (local.get $id)))
      ;; v = x * id; t = trunc(2v); roundf(v) = (t >> 1) + (t & ~(t >> 31) & 1)
      (local.set $v0 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v0 (f32x4.mul (local.get $v0) (local.get $vid))) (local.get $v0))))
      (local.set $v0 (i32x4.add (i32x4.shr_s (local.get $v0) (i32.const 1)) (v128.and (v128.andnot (local.get $v0) (i32x4.shr_s (local.get $v0) (i32.const 31))) (local.get $one))))
      (local.set $v1 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v1 (f32x4.mul (local.get $v1) (local.get $vid))) (local.get $v1))))
      (local.set $v1 (i32x4.add (i32x4.shr_s (local.get $v1) (i32.const 1)) (v128.and (v128.andnot (local.get $v1) (i32x4.shr_s (local.get $v1) (i32.const 31))) (local.get $one))))
      (local.set $v2 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v2 (f32x4.mul (local.get $v2) (local.get $vid))) (local.get $v2))))
      (local.set $v2 (i32x4.add (i32x4.shr_s (local.get $v2) (i32.const 1)) (v128.and (v128.andnot (local.get $v2) (i32x4.shr_s (local.get $v2) (i32.const 31))) (local.get $one))))
      (local.set $v3 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v3 (f32x4.mul (local.get $v3) (local.get $vid))) (local.get $v3))))
      (local.set $v3 (i32x4.add (i32x4.shr_s (local.get $v3) (i32.const 1)) (v128.and (v128.andnot (local.get $v3) (i32x4.shr_s (local.get $v3) (i32.const 31))) (local.get $one))))
      (local.set $v4 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v4 (f32x4.mul (local.get $v4) (local.get $vid))) (local.get $v4))))
      (local.set $v4 (i32x4.add (i32x4.shr_s (local.get $v4) (i32.const 1)) (v128.and (v128.andnot (local.get $v4) (i32x4.shr_s (local.get $v4) (i32.const 31))) (local.get $one))))
      (local.set $v5 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v5 (f32x4.mul (local.get $v5) (local.get $vid))) (local.get $v5))))
      (local.set $v5 (i32x4.add (i32x4.shr_s (local.get $v5) (i32.const 1)) (v128.and (v128.andnot (local.get $v5) (i32x4.shr_s (local.get $v5) (i32.const 31))) (local.get $one))))
      (local.set $v6 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v6 (f32x4.mul (local.get $v6) (local.get $vid))) (local.get $v6))))
      (local.set $v6 (i32x4.add (i32x4.shr_s (local.get $v6) (i32.const 1)) (v128.and (v128.andnot (local.get $v6) (i32x4.shr_s (local.get $v6) (i32.const 31))) (local.get $one))))
      (local.set $v7 (i32x4.trunc_sat_f32x4_s (f32x4.add (local.tee $v7 (f32x4.mul (local.get $v7) (local.get $vid))) (local.get $v7))))
      (local.set $v7 (i32x4.add (i32x4.shr_s (local.get $v7) (i32.const 1)) (v128.and (v128.andnot (local.get $v7) (i32x4.shr_s (local.get $v7) (i32.const 31))) (local.get $one))))
      (local.set $v0 (i16x8.narrow_i32x4_s (local.get $v0) (local.get $v1)))
      (local.set $v1 (i16x8.narrow_i32x4_s (local.get $v2) (local.get $v3)))
      (local.set $v2 (i16x8.narrow_i32x4_s (local.get $v4) (local.get $v5)))
      (local.set $v3 (i16x8.narrow_i32x4_s (local.get $v6) (local.get $v7)))
      (local.set $q (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 6))))
      (v128.store (local.get $q) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (local.get $v0) (local.get $v1)))
      (v128.store offset=16 (local.get $q) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (local.get $v0) (local.get $v1)))
      (v128.store offset=32 (local.get $q) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (local.get $v2) (local.get $v3)))
      (v128.store offset=48 (local.get $q) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (local.get $v2) (local.get $v3)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $blocks)))
    (v128.any_true (f32x4.ne (local.get $bad) (local.get $bad))))

  ;; x: f32 [nb*256] at $x -> A8_K at $a (quantize_row_q8_K_ref). Returns 1 when some x is not finite.
  (func $quantize_q8_k (export "quantize_q8_k") (param $x i32) (param $a i32) (param $nb i32) (result i32)
    (local $b i32) (local $p i32) (local $q i32) (local $s i32) (local $j i32) (local $g i32)
    (local $bad v128) (local $v v128) (local $acc v128) (local $lo v128) (local $hi v128) (local $vis v128)
    (local $ax f32) (local $amax f32) (local $max f32) (local $iscale f32)
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b) (local.get $nb)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 10))))
      (local.set $q (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 9))))
      (local.set $s (i32.add (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 516))) (i32.shl (local.get $b) (i32.const 6))))
      ;; the value of largest magnitude, the first one on ties
      (local.set $amax (f32.const 0))
      (local.set $max (f32.const 0))
      (local.set $j (i32.const 0))
      (loop $scan
        (local.set $v (v128.load (i32.add (local.get $p) (local.get $j))))
        (local.set $bad (v128.or (local.get $bad) (f32x4.ne (f32x4.sub (local.get $v) (local.get $v)) (f32x4.sub (local.get $v) (local.get $v)))))
        (local.set $ax (f32.abs (f32.load (i32.add (local.get $p) (local.get $j)))))
        (if (f32.gt (local.get $ax) (local.get $amax)) (then (local.set $amax (local.get $ax)) (local.set $max (f32.load (i32.add (local.get $p) (local.get $j))))))
        (local.set $ax (f32.abs (f32.load offset=4 (i32.add (local.get $p) (local.get $j)))))
        (if (f32.gt (local.get $ax) (local.get $amax)) (then (local.set $amax (local.get $ax)) (local.set $max (f32.load offset=4 (i32.add (local.get $p) (local.get $j))))))
        (local.set $ax (f32.abs (f32.load offset=8 (i32.add (local.get $p) (local.get $j)))))
        (if (f32.gt (local.get $ax) (local.get $amax)) (then (local.set $amax (local.get $ax)) (local.set $max (f32.load offset=8 (i32.add (local.get $p) (local.get $j))))))
        (local.set $ax (f32.abs (f32.load offset=12 (i32.add (local.get $p) (local.get $j)))))
        (if (f32.gt (local.get $ax) (local.get $amax)) (then (local.set $amax (local.get $ax)) (local.set $max (f32.load offset=12 (i32.add (local.get $p) (local.get $j))))))
        (br_if $scan (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 1024))))
      (if (f32.eq (local.get $amax) (f32.const 0))
        (then
          ;; d = 0, every quant and sum 0
          (f32.store (i32.add (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 9))) (i32.shl (local.get $b) (i32.const 2))) (f32.const 0))
          (local.set $j (i32.const 0))
          (loop $zero
            (v128.store (i32.add (local.get $q) (local.get $j)) (v128.const i32x4 0 0 0 0))
            (br_if $zero (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 512))))
          (local.set $j (i32.const 0))
          (loop $zero_sums
            (v128.store (i32.add (local.get $s) (local.get $j)) (v128.const i32x4 0 0 0 0))
            (br_if $zero_sums (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 64)))))
        (else
          (local.set $iscale (f32.div (f32.const -127) (local.get $max)))
          (local.set $vis (f32x4.splat (local.get $iscale)))
          ;; 16 groups of 16 values: quants (min(127, nearest_int)) and their sum
          (local.set $g (i32.const 0))
          (loop $groups
            (local.set $j (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 6))))
            (local.set $lo (i16x8.narrow_i32x4_s
              (i32x4.min_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load (local.get $j)) (local.get $vis)))) (v128.const i32x4 127 127 127 127))
              (i32x4.min_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=16 (local.get $j)) (local.get $vis)))) (v128.const i32x4 127 127 127 127))))
            (local.set $hi (i16x8.narrow_i32x4_s
              (i32x4.min_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=32 (local.get $j)) (local.get $vis)))) (v128.const i32x4 127 127 127 127))
              (i32x4.min_s (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=48 (local.get $j)) (local.get $vis)))) (v128.const i32x4 127 127 127 127))))
            (v128.store (i32.add (local.get $q) (i32.shl (local.get $g) (i32.const 5))) (local.get $lo))
            (v128.store offset=16 (i32.add (local.get $q) (i32.shl (local.get $g) (i32.const 5))) (local.get $hi))
            (local.set $acc (i32x4.add (i32x4.extadd_pairwise_i16x8_s (local.get $lo)) (i32x4.extadd_pairwise_i16x8_s (local.get $hi))))
            (i32.store (i32.add (local.get $s) (i32.shl (local.get $g) (i32.const 2))) (call $hsum_i32x4 (local.get $acc)))
            (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (i32.const 16))))
          (f32.store (i32.add (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 9))) (i32.shl (local.get $b) (i32.const 2)))
            (f32.div (f32.const 1) (local.get $iscale)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $blocks)))
    (v128.any_true (local.get $bad)))

  ;; The inputs of tokens [t0, t1) quantized as one task of the thread pool: token t's x at
  ;; x + t * xStride into its activation at a + t * aStride, by quantize_q8_0 (kind 0) or
  ;; quantize_q8_k (kind 1), nb blocks each; a token with a non-finite value stores 1 at flag.
  (func (export "quantize_tokens") (param $kind i32) (param $x i32) (param $xStride i32) (param $a i32) (param $aStride i32)
    (param $t0 i32) (param $t1 i32) (param $nb i32) (param $flag i32)
    (local $t i32) (local $xt i32) (local $at i32)
    (local.set $t (local.get $t0))
    (block $done (loop $tokens
      (br_if $done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $xt (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xStride))))
      (local.set $at (i32.add (local.get $a) (i32.mul (local.get $t) (local.get $aStride))))
      (if (if (result i32) (local.get $kind)
            (then (call $quantize_q8_k (local.get $xt) (local.get $at) (local.get $nb)))
            (else (call $quantize_q8_0 (local.get $xt) (local.get $at) (local.get $nb))))
        (then (i32.store (local.get $flag) (i32.const 1))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tokens))))

  ;; f32 rows: out[r] = sum_c w[r, c] x[c], float32 lanes (4 accumulators of 4)
  (func $matvec_f32 (export "matvec_f32") (param $w i32) (param $x i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $row i32) (local $c i32) (local $end16 i32) (local $end4 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f32)
    (local.set $end16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $end4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $row (i32.add (local.get $w) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0))
      (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $d16 (loop $c16
        (br_if $d16 (i32.ge_u (local.get $c) (local.get $end16)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
          (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul
          (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load offset=16 (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul
          (v128.load offset=32 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load offset=32 (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul
          (v128.load offset=48 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load offset=48 (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $c16)))
      (block $d4 (loop $c4
        (br_if $d4 (i32.ge_u (local.get $c) (local.get $end4)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
          (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4)))
      (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
      (local.set $s (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
        (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
      (block $d1 (loop $c1
        (br_if $d1 (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $s (f32.add (local.get $s) (f32.mul
          (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (f32.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q8_0 rows x A8_0, as ggml_vec_dot_q8_0_q8_0's SIMD paths: per block, the integer dot in 4
  ;; i32 lanes (exact), converted and scaled by dw * da into 4 float lanes that run across the
  ;; row; the lanes are summed once per row. (The generic C sums each block to a scalar first:
  ;; the same terms in another order, so the two agree to float32 rounding, not bit for bit.
  ;; The scalar order cost a horizontal sum per block, a quarter of the kernel's time.)
  (func $matvec_q8_0 (export "matvec_q8_0") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $dp i32) (local $ad i32)
    (local $v v128) (local $acc v128)
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $ad (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (i32.mul (local.get $r) (local.get $nb)) (i32.const 34))))
      (local.set $pend (i32.add (local.get $p) (i32.mul (local.get $nb) (i32.const 34))))
      (local.set $ya (local.get $a))
      (local.set $dp (local.get $ad))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        ;; the 16-bit lanes of the weight bytes hold (even, odd) int8 pairs: shl+shr_s splits out the even, shr_s the odd
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add
              (i32x4.dot_i16x8_s (i16x8.shr_s (i16x8.shl (local.tee $v (v128.load offset=2 (local.get $p))) (i32.const 8)) (i32.const 8)) (v128.load offset=0 (local.get $ya)))
              (i32x4.dot_i16x8_s (i16x8.shr_s (local.get $v) (i32.const 8)) (v128.load offset=16 (local.get $ya))))
            (i32x4.add
              (i32x4.dot_i16x8_s (i16x8.shr_s (i16x8.shl (local.tee $v (v128.load offset=18 (local.get $p))) (i32.const 8)) (i32.const 8)) (v128.load offset=32 (local.get $ya)))
              (i32x4.dot_i16x8_s (i16x8.shr_s (local.get $v) (i32.const 8)) (v128.load offset=48 (local.get $ya))))))
          (f32x4.splat (f32.mul (f32.load offset=65536 (i32.shl (i32.load16_u (local.get $p)) (i32.const 2))) (f32.load (local.get $dp)))))))
        (local.set $ya (i32.add (local.get $ya) (i32.const 64)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 34))) (local.get $pend))))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0 rows x A8_0, as ggml_vec_dot_q4_0_q8_0's SIMD paths: the nibbles less 8 dotted in 4
  ;; i32 lanes (exact), scaled by dw * da into 4 float lanes across the row (see matvec_q8_0).
  (func $matvec_q4_0 (export "matvec_q4_0") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $dp i32) (local $ad i32)
    (local $v v128) (local $acc v128) (local $m15 v128) (local $e8 v128)
    (local.set $m15 (v128.const i16x8 15 15 15 15 15 15 15 15))
    (local.set $e8 (v128.const i16x8 8 8 8 8 8 8 8 8))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $ad (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (i32.mul (local.get $r) (local.get $nb)) (i32.const 18))))
      (local.set $pend (i32.add (local.get $p) (i32.mul (local.get $nb) (i32.const 18))))
      (local.set $ya (local.get $a))
      (local.set $dp (local.get $ad))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        ;; 16-bit lane i holds bytes 2i, 2i+1: nibbles 0-3 are elements 2i, 2i+1 (low), 2i+16, 2i+17 (high)
        (local.set $v (v128.load offset=2 (local.get $p)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add
              (i32x4.dot_i16x8_s (i16x8.sub (v128.and (local.get $v) (local.get $m15)) (local.get $e8)) (v128.load offset=0 (local.get $ya)))
              (i32x4.dot_i16x8_s (i16x8.sub (v128.and (i16x8.shr_u (local.get $v) (i32.const 8)) (local.get $m15)) (local.get $e8)) (v128.load offset=16 (local.get $ya))))
            (i32x4.add
              (i32x4.dot_i16x8_s (i16x8.sub (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $m15)) (local.get $e8)) (v128.load offset=32 (local.get $ya)))
              (i32x4.dot_i16x8_s (i16x8.sub (i16x8.shr_u (local.get $v) (i32.const 12)) (local.get $e8)) (v128.load offset=48 (local.get $ya))))))
          (f32x4.splat (f32.mul (f32.load offset=65536 (i32.shl (i32.load16_u (local.get $p)) (i32.const 2))) (f32.load (local.get $dp)))))))
        (local.set $ya (i32.add (local.get $ya) (i32.const 64)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 18))) (local.get $pend))))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_K rows x A8_K: ggml_vec_dot_q4_K_q8_K_generic, with its 8 integer and 8 float lanes
  ;; (lane l = elements with index % 8 == l; i16 products of 4 elements per lane, then scaled in i32)
  ;; Sub-block j's 6-bit scale (low byte) and min (second byte) are decoded inline from the 12
  ;; packed bytes s at block + 4: j < 4: s[j] & 63, s[j+4] & 63; j >= 4: (s[j+4] & 15) | (s[j-4] >> 6) << 4,
  ;; (s[j+4] >> 4) | (s[j] >> 6) << 4.
  (func $matvec_q4_k (export "matvec_q4_k") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $r i32) (local $p i32) (local $b i32) (local $g i32) (local $k i32) (local $ya i32) (local $qp i32)
    (local $ad i32) (local $bs i32) (local $sm1 i32) (local $sm2 i32) (local $sumi i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $plo v128) (local $phi v128) (local $s1 v128) (local $s2 v128)
    (local $auxlo v128) (local $auxhi v128) (local $sumslo v128) (local $sumshi v128) (local $vd v128)
    (local $yd f32) (local $sumf f32)
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 8)))
    (local.set $ad (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 9))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (i32.mul (local.get $r) (local.get $nb)) (i32.const 144))))
      (local.set $sumf (f32.const 0))
      (local.set $sumslo (v128.const i32x4 0 0 0 0))
      (local.set $sumshi (v128.const i32x4 0 0 0 0))
      (local.set $b (i32.const 0))
      (block $bdone (loop $blocks
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $nb)))
        (local.set $auxlo (v128.const i32x4 0 0 0 0))
        (local.set $auxhi (v128.const i32x4 0 0 0 0))
        (local.set $sumi (i32.const 0))
        (local.set $bs (i32.add (i32.add (local.get $ad) (i32.shl (local.get $nb) (i32.const 2))) (i32.shl (local.get $b) (i32.const 6))))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $sm1 (if (result i32) (i32.lt_u (i32.shl (local.get $g) (i32.const 1)) (i32.const 4))
      (then
        (i32.or
          (i32.and (i32.load8_u (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.shl (local.get $g) (i32.const 1)))) (i32.const 63))
          (i32.shl (i32.and (i32.load8_u offset=4 (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.shl (local.get $g) (i32.const 1)))) (i32.const 63)) (i32.const 8))))
      (else
        (i32.or
          (i32.or (i32.and (i32.load8_u offset=4 (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.shl (local.get $g) (i32.const 1)))) (i32.const 15))
                  (i32.shl (i32.shr_u (i32.load8_u (i32.sub (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.shl (local.get $g) (i32.const 1))) (i32.const 4))) (i32.const 6)) (i32.const 4)))
          (i32.shl
            (i32.or (i32.shr_u (i32.load8_u offset=4 (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.shl (local.get $g) (i32.const 1)))) (i32.const 4))
                    (i32.shl (i32.shr_u (i32.load8_u (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.shl (local.get $g) (i32.const 1)))) (i32.const 6)) (i32.const 4)))
            (i32.const 8))))))
          (local.set $sm2 (if (result i32) (i32.lt_u (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1)) (i32.const 4))
      (then
        (i32.or
          (i32.and (i32.load8_u (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1)))) (i32.const 63))
          (i32.shl (i32.and (i32.load8_u offset=4 (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1)))) (i32.const 63)) (i32.const 8))))
      (else
        (i32.or
          (i32.or (i32.and (i32.load8_u offset=4 (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1)))) (i32.const 15))
                  (i32.shl (i32.shr_u (i32.load8_u (i32.sub (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1))) (i32.const 4))) (i32.const 6)) (i32.const 4)))
          (i32.shl
            (i32.or (i32.shr_u (i32.load8_u offset=4 (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1)))) (i32.const 4))
                    (i32.shl (i32.shr_u (i32.load8_u (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.add (i32.shl (local.get $g) (i32.const 1)) (i32.const 1)))) (i32.const 6)) (i32.const 4)))
            (i32.const 8))))))
          (local.set $sumi (i32.add (local.get $sumi) (i32.add
            (i32.mul (i32.add (i32.load (i32.add (local.get $bs) (i32.shl (local.get $g) (i32.const 4)))) (i32.load offset=4 (i32.add (local.get $bs) (i32.shl (local.get $g) (i32.const 4)))))
                     (i32.shr_u (local.get $sm1) (i32.const 8)))
            (i32.mul (i32.add (i32.load offset=8 (i32.add (local.get $bs) (i32.shl (local.get $g) (i32.const 4)))) (i32.load offset=12 (i32.add (local.get $bs) (i32.shl (local.get $g) (i32.const 4)))))
                     (i32.shr_u (local.get $sm2) (i32.const 8))))))
          (local.set $qp (i32.add (i32.add (local.get $p) (i32.const 16)) (i32.shl (local.get $g) (i32.const 5))))
          (local.set $ya (i32.add (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 9))) (i32.shl (local.get $g) (i32.const 7))))
          ;; bytes 0..15 and 16..31 of the group: low nibbles = sub-block 2g, high = 2g+1
          (local.set $v (v128.load (local.get $qp)))
          (local.set $lo (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
          (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
          (local.set $plo (i16x8.add
            (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $lo)) (v128.load (local.get $ya)))
            (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $lo)) (v128.load offset=16 (local.get $ya)))))
          (local.set $phi (i16x8.add
            (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $hi)) (v128.load offset=64 (local.get $ya)))
            (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $hi)) (v128.load offset=80 (local.get $ya)))))
          (local.set $v (v128.load offset=16 (local.get $qp)))
          (local.set $lo (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
          (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
          (local.set $plo (i16x8.add (local.get $plo) (i16x8.add
            (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $lo)) (v128.load offset=32 (local.get $ya)))
            (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $lo)) (v128.load offset=48 (local.get $ya))))))
          (local.set $phi (i16x8.add (local.get $phi) (i16x8.add
            (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $hi)) (v128.load offset=96 (local.get $ya)))
            (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $hi)) (v128.load offset=112 (local.get $ya))))))
          (local.set $s1 (i16x8.splat (i32.and (local.get $sm1) (i32.const 255))))
          (local.set $s2 (i16x8.splat (i32.and (local.get $sm2) (i32.const 255))))
          (local.set $auxlo (i32x4.add (local.get $auxlo) (i32x4.add
            (i32x4.extmul_low_i16x8_s (local.get $plo) (local.get $s1))
            (i32x4.extmul_low_i16x8_s (local.get $phi) (local.get $s2)))))
          (local.set $auxhi (i32x4.add (local.get $auxhi) (i32x4.add
            (i32x4.extmul_high_i16x8_s (local.get $plo) (local.get $s1))
            (i32x4.extmul_high_i16x8_s (local.get $phi) (local.get $s2)))))
          (br_if $groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (i32.const 4))))
        (local.set $yd (f32.load (i32.add (local.get $ad) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $vd (f32x4.splat (f32.mul (f32.load offset=65536 (i32.shl (i32.load16_u (local.get $p)) (i32.const 2))) (local.get $yd))))
        (local.set $sumslo (f32x4.add (local.get $sumslo) (f32x4.mul (local.get $vd) (f32x4.convert_i32x4_s (local.get $auxlo)))))
        (local.set $sumshi (f32x4.add (local.get $sumshi) (f32x4.mul (local.get $vd) (f32x4.convert_i32x4_s (local.get $auxhi)))))
        (local.set $sumf (f32.sub (local.get $sumf)
          (f32.mul (f32.mul (f32.load offset=65536 (i32.shl (i32.load16_u (i32.add (local.get $p) (i32.const 2))) (i32.const 2))) (local.get $yd)) (f32.convert_i32_s (local.get $sumi)))))
        (local.set $p (i32.add (local.get $p) (i32.const 144)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $blocks)))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 0 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 1 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 2 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 3 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 0 (local.get $sumshi))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 1 (local.get $sumshi))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 2 (local.get $sumshi))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 3 (local.get $sumshi))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sumf))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q6_K rows x A8_K: ggml_vec_dot_q6_K_q8_K_generic, with its 8 integer and 8 float lanes
  (func $matvec_q6_k (export "matvec_q6_k") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $r i32) (local $p i32) (local $b i32) (local $h i32) (local $k i32) (local $ya i32) (local $s i32) (local $ad i32)
    (local $lo0 v128) (local $lo1 v128) (local $hi v128) (local $prod v128) (local $sc v128)
    (local $auxlo v128) (local $auxhi v128) (local $sumslo v128) (local $sumshi v128) (local $vd v128)
    (local $sumf f32) (local $m15 v128) (local $m3 v128) (local $m32 v128) (local $q v128)
    (local.set $m32 (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
    (local.set $m15 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $m3 (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 8)))
    (local.set $ad (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 9))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (i32.mul (local.get $r) (local.get $nb)) (i32.const 210))))
      (local.set $sumslo (v128.const i32x4 0 0 0 0))
      (local.set $sumshi (v128.const i32x4 0 0 0 0))
      (local.set $b (i32.const 0))
      (block $bdone (loop $blocks
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $nb)))
        (local.set $auxlo (v128.const i32x4 0 0 0 0))
        (local.set $auxhi (v128.const i32x4 0 0 0 0))
        (local.set $h (i32.const 0))
        (loop $halves
          (local.set $k (i32.const 0))
          (loop $chunks
            ;; elements 128h + 16k + j (j < 16) and +32, +64, +96; scales at 192 + 8h + k (+2, +4, +6)
            (local.set $lo0 (v128.load (i32.add (local.get $p) (i32.add (i32.shl (local.get $h) (i32.const 6)) (i32.shl (local.get $k) (i32.const 4))))))
            (local.set $lo1 (v128.load offset=32 (i32.add (local.get $p) (i32.add (i32.shl (local.get $h) (i32.const 6)) (i32.shl (local.get $k) (i32.const 4))))))
            (local.set $hi (v128.load offset=128 (i32.add (local.get $p) (i32.add (i32.shl (local.get $h) (i32.const 5)) (i32.shl (local.get $k) (i32.const 4))))))
            (local.set $s (i32.add (local.get $p) (i32.add (i32.add (i32.const 192) (i32.shl (local.get $h) (i32.const 3))) (local.get $k))))
            (local.set $ya (i32.add (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 9)))
                                    (i32.add (i32.shl (local.get $h) (i32.const 8)) (i32.shl (local.get $k) (i32.const 5)))))
            ;; q1: low nibble of lo0, bits 0-1 of hi
            (local.set $prod (i16x8.add
              (i16x8.mul (i16x8.extend_low_i8x16_s (local.tee $q (i8x16.sub (v128.or (v128.and (local.get $lo0) (local.get $m15)) (i8x16.shl (v128.and (local.get $hi) (local.get $m3)) (i32.const 4))) (local.get $m32)))) (v128.load offset=0 (local.get $ya)))
              (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $q)) (v128.load offset=16 (local.get $ya)))))
            (local.set $sc (i16x8.splat (i32.load8_s (local.get $s))))
            (local.set $auxlo (i32x4.add (local.get $auxlo) (i32x4.extmul_low_i16x8_s (local.get $prod) (local.get $sc))))
            (local.set $auxhi (i32x4.add (local.get $auxhi) (i32x4.extmul_high_i16x8_s (local.get $prod) (local.get $sc))))
            ;; q2: low nibble of lo1, bits 2-3 of hi
            (local.set $prod (i16x8.add
              (i16x8.mul (i16x8.extend_low_i8x16_s (local.tee $q (i8x16.sub (v128.or (v128.and (local.get $lo1) (local.get $m15)) (i8x16.shl (v128.and (i8x16.shr_u (local.get $hi) (i32.const 2)) (local.get $m3)) (i32.const 4))) (local.get $m32)))) (v128.load offset=64 (local.get $ya)))
              (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $q)) (v128.load offset=80 (local.get $ya)))))
            (local.set $sc (i16x8.splat (i32.load8_s offset=2 (local.get $s))))
            (local.set $auxlo (i32x4.add (local.get $auxlo) (i32x4.extmul_low_i16x8_s (local.get $prod) (local.get $sc))))
            (local.set $auxhi (i32x4.add (local.get $auxhi) (i32x4.extmul_high_i16x8_s (local.get $prod) (local.get $sc))))
            ;; q3: high nibble of lo0, bits 4-5 of hi
            (local.set $prod (i16x8.add
              (i16x8.mul (i16x8.extend_low_i8x16_s (local.tee $q (i8x16.sub (v128.or (i8x16.shr_u (local.get $lo0) (i32.const 4)) (i8x16.shl (v128.and (i8x16.shr_u (local.get $hi) (i32.const 4)) (local.get $m3)) (i32.const 4))) (local.get $m32)))) (v128.load offset=128 (local.get $ya)))
              (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $q)) (v128.load offset=144 (local.get $ya)))))
            (local.set $sc (i16x8.splat (i32.load8_s offset=4 (local.get $s))))
            (local.set $auxlo (i32x4.add (local.get $auxlo) (i32x4.extmul_low_i16x8_s (local.get $prod) (local.get $sc))))
            (local.set $auxhi (i32x4.add (local.get $auxhi) (i32x4.extmul_high_i16x8_s (local.get $prod) (local.get $sc))))
            ;; q4: high nibble of lo1, bits 6-7 of hi
            (local.set $prod (i16x8.add
              (i16x8.mul (i16x8.extend_low_i8x16_s (local.tee $q (i8x16.sub (v128.or (i8x16.shr_u (local.get $lo1) (i32.const 4)) (i8x16.shl (i8x16.shr_u (local.get $hi) (i32.const 6)) (i32.const 4))) (local.get $m32)))) (v128.load offset=192 (local.get $ya)))
              (i16x8.mul (i16x8.extend_high_i8x16_s (local.get $q)) (v128.load offset=208 (local.get $ya)))))
            (local.set $sc (i16x8.splat (i32.load8_s offset=6 (local.get $s))))
            (local.set $auxlo (i32x4.add (local.get $auxlo) (i32x4.extmul_low_i16x8_s (local.get $prod) (local.get $sc))))
            (local.set $auxhi (i32x4.add (local.get $auxhi) (i32x4.extmul_high_i16x8_s (local.get $prod) (local.get $sc))))
            (br_if $chunks (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 2))))
          (br_if $halves (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (i32.const 2))))
        (local.set $vd (f32x4.splat (f32.mul (f32.load offset=65536 (i32.shl (i32.load16_u (i32.add (local.get $p) (i32.const 208))) (i32.const 2)))
                                             (f32.load (i32.add (local.get $ad) (i32.shl (local.get $b) (i32.const 2)))))))
        (local.set $sumslo (f32x4.add (local.get $sumslo) (f32x4.mul (local.get $vd) (f32x4.convert_i32x4_s (local.get $auxlo)))))
        (local.set $sumshi (f32x4.add (local.get $sumshi) (f32x4.mul (local.get $vd) (f32x4.convert_i32x4_s (local.get $auxhi)))))
        (local.set $p (i32.add (local.get $p) (i32.const 210)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $blocks)))
      (local.set $sumf (f32.add (f32.const 0) (f32x4.extract_lane 0 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 1 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 2 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 3 (local.get $sumslo))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 0 (local.get $sumshi))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 1 (local.get $sumshi))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 2 (local.get $sumshi))))
      (local.set $sumf (f32.add (local.get $sumf) (f32x4.extract_lane 3 (local.get $sumshi))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sumf))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

;; Several products of one activation as one task (q, k and v; gate and up), so the threads
  ;; meet once instead of once per matrix. desc: n records {w, out, rows} (three i32); rows
  ;; [r0, r1) count through the records in order; kind: the weight type's index in the table
  ;; (0 f32, 1 q8_0, 2 q4_0, 3 q4_k, 4 q6_k), a: its activation, as for that type's product.
  (func (export "matvec_multi") (param $kind i32) (param $desc i32) (param $n i32) (param $a i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $i i32) (local $rec i32) (local $base i32) (local $end i32) (local $lo i32) (local $hi i32)
    (block $done (loop $records
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $rec (i32.add (local.get $desc) (i32.mul (local.get $i) (i32.const 12))))
      (local.set $end (i32.add (local.get $base) (i32.load offset=8 (local.get $rec))))
      (local.set $lo (select (local.get $r0) (local.get $base) (i32.gt_u (local.get $r0) (local.get $base))))
      (local.set $hi (select (local.get $r1) (local.get $end) (i32.lt_u (local.get $r1) (local.get $end))))
      (if (i32.lt_u (local.get $lo) (local.get $hi))
        (then (call_indirect (type $matvec)
          (i32.load (local.get $rec)) (local.get $a) (i32.load offset=4 (local.get $rec))
          (i32.sub (local.get $lo) (local.get $base)) (i32.sub (local.get $hi) (local.get $base)) (local.get $cols)
          (local.get $kind))))
      (local.set $base (local.get $end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $records))))

  ;; T products of one weight matrix (the tokens of a prompt): out_t = w a_t for t < T, each
  ;; row by the weight type's own product (the table's entry `kind`), so every value is bit for
  ;; bit what that product computes for the token alone. Rows go `tile` at a time, all tokens
  ;; per tile: a tile of weight rows is read from memory once and from cache by the other T - 1
  ;; tokens. a_t at a + t * aStride (x for f32, else its quantized activation); out_t at
  ;; out + t * outStride; rows [r0, r1) are written.
  (func (export "matmul") (param $kind i32) (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32)
    (param $tokens i32) (param $tile i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $end i32) (local $t i32)
    (local.set $r (local.get $r0))
    (block $done (loop $tiles
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $end (select (local.get $r1) (i32.add (local.get $r) (local.get $tile)) (i32.lt_u (local.get $r1) (i32.add (local.get $r) (local.get $tile)))))
      (local.set $t (i32.const 0))
      ;; Q4_0 eight tokens at a time (matmul8_q4_0), then four tokens at a time where the type has
      ;; a four-token product, the rest one by one
      (if (i32.eq (local.get $kind) (i32.const 2)) (then
        (block $octs_done (loop $octs
          (br_if $octs_done (i32.gt_u (i32.add (local.get $t) (i32.const 8)) (local.get $tokens)))
          (call $matmul8_q4_0
            (local.get $w)
            (i32.add (local.get $a) (i32.mul (local.get $t) (local.get $aStride))) (local.get $aStride)
            (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $outStride))) (local.get $outStride)
            (local.get $r) (local.get $end) (local.get $cols))
          (local.set $t (i32.add (local.get $t) (i32.const 8)))
          (br $octs)))))
      (if (i32.lt_u (local.get $kind) (i32.const 3)) (then
        (block $quads_done (loop $quads
          (br_if $quads_done (i32.gt_u (i32.add (local.get $t) (i32.const 4)) (local.get $tokens)))
          (call_indirect (type $matmul4)
            (local.get $w)
            (i32.add (local.get $a) (i32.mul (local.get $t) (local.get $aStride))) (local.get $aStride)
            (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $outStride))) (local.get $outStride)
            (local.get $r) (local.get $end) (local.get $cols)
            (i32.add (local.get $kind) (i32.const 5)))
          (local.set $t (i32.add (local.get $t) (i32.const 4)))
          (br $quads)))))
      (block $tokens_done (loop $each_token
        (br_if $tokens_done (i32.ge_u (local.get $t) (local.get $tokens)))
        (call_indirect (type $matvec)
          (local.get $w)
          (i32.add (local.get $a) (i32.mul (local.get $t) (local.get $aStride)))
          (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $outStride)))
          (local.get $r) (local.get $end) (local.get $cols)
          (local.get $kind))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $each_token)))
      (local.set $r (local.get $end))
      (br $tiles))))

  ;; Products of one matrix with four tokens at once (matmul's inner step where the type has
  ;; one): each weight vector is loaded (and for Q8_0 and Q4_0 unpacked into int16 lanes) once
  ;; and serves the four activations, a_t at a + t * aStride, out_t at out + t * outStride.
  ;; Per token every operation is the type's matvec's, in its order, so each value is bit for
  ;; bit what that token's matvec computes (the prefill-equals-decode property of matmul).

  ;; F32, two tokens per pass over a row (eight accumulators fit the registers; four tokens'
  ;; sixteen would spill), the pass made twice.
  (func $matmul2_f32 (param $w i32) (param $x0 i32) (param $x1 i32) (param $o0 i32) (param $o1 i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $row i32) (local $c i32) (local $end16 i32) (local $end4 i32) (local $wp i32) (local $c4 i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $s f32) (local $t f32)
    (local.set $end16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $end4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $row (i32.add (local.get $w) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0))
      (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $b0 (v128.const i32x4 0 0 0 0))
      (local.set $b1 (v128.const i32x4 0 0 0 0))
      (local.set $b2 (v128.const i32x4 0 0 0 0))
      (local.set $b3 (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $d16 (loop $c16
        (br_if $d16 (i32.ge_u (local.get $c) (local.get $end16)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $wp (i32.add (local.get $row) (local.get $c4)))
        (local.set $v (v128.load (local.get $wp)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $v (v128.load offset=16 (local.get $wp)))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (v128.load offset=16 (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $v) (v128.load offset=16 (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $v (v128.load offset=32 (local.get $wp)))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (v128.load offset=32 (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (local.get $v) (v128.load offset=32 (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $v (v128.load offset=48 (local.get $wp)))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (v128.load offset=48 (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (local.get $v) (v128.load offset=48 (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $c16)))
      (block $d4 (loop $c4
        (br_if $d4 (i32.ge_u (local.get $c) (local.get $end4)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $v (v128.load (i32.add (local.get $row) (local.get $c4))))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4)))
      (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
      (local.set $b0 (f32x4.add (f32x4.add (local.get $b0) (local.get $b1)) (f32x4.add (local.get $b2) (local.get $b3))))
      (local.set $s (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
        (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
      (local.set $t (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $b0)) (f32x4.extract_lane 1 (local.get $b0)))
        (f32.add (f32x4.extract_lane 2 (local.get $b0)) (f32x4.extract_lane 3 (local.get $b0)))))
      (block $d1 (loop $c1
        (br_if $d1 (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $s (f32.add (local.get $s) (f32.mul
          (f32.load (i32.add (local.get $row) (local.get $c4)))
          (f32.load (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $t (f32.add (local.get $t) (f32.mul
          (f32.load (i32.add (local.get $row) (local.get $c4)))
          (f32.load (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1)))
      (f32.store (i32.add (local.get $o0) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
      (f32.store (i32.add (local.get $o1) (i32.shl (local.get $r) (i32.const 2))) (local.get $t))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  (func $matmul4_f32 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (call $matmul2_f32 (local.get $w)
      (local.get $a) (i32.add (local.get $a) (local.get $aStride))
      (local.get $out) (i32.add (local.get $out) (local.get $outStride))
      (local.get $r0) (local.get $r1) (local.get $cols))
    (call $matmul2_f32 (local.get $w)
      (i32.add (local.get $a) (i32.shl (local.get $aStride) (i32.const 1))) (i32.add (local.get $a) (i32.mul (local.get $aStride) (i32.const 3)))
      (i32.add (local.get $out) (i32.shl (local.get $outStride) (i32.const 1))) (i32.add (local.get $out) (i32.mul (local.get $outStride) (i32.const 3)))
      (local.get $r0) (local.get $r1) (local.get $cols)))

  ;; Q8_0, four tokens: per block the weights' even and odd int16 lanes (matvec_q8_0's split)
  ;; and the weight scale once, then each token's integer dot, scale and float lanes.
  (func $matmul4_q8_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $r i32) (local $p i32) (local $pend i32) (local $o i32) (local $s i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32) (local $at i32)
    (local $we v128) (local $wo v128) (local $xe v128) (local $xo v128) (local $ws f32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $a1 (i32.add (local.get $a) (local.get $aStride)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $aStride)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $aStride)))
    (local.set $d0 (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $d1 (i32.add (local.get $a1) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $d2 (i32.add (local.get $a2) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $d3 (i32.add (local.get $a3) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (i32.mul (local.get $r) (local.get $nb)) (i32.const 34))))
      (local.set $pend (i32.add (local.get $p) (i32.mul (local.get $nb) (i32.const 34))))
      (local.set $o (i32.const 0))
      (local.set $s (i32.const 0))
      (local.set $acc0 (v128.const i32x4 0 0 0 0))
      (local.set $acc1 (v128.const i32x4 0 0 0 0))
      (local.set $acc2 (v128.const i32x4 0 0 0 0))
      (local.set $acc3 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        (local.set $we (i16x8.shr_s (i16x8.shl (local.tee $wo (v128.load offset=2 (local.get $p))) (i32.const 8)) (i32.const 8)))
        (local.set $wo (i16x8.shr_s (local.get $wo) (i32.const 8)))
        (local.set $xe (i16x8.shr_s (i16x8.shl (local.tee $xo (v128.load offset=18 (local.get $p))) (i32.const 8)) (i32.const 8)))
        (local.set $xo (i16x8.shr_s (local.get $xo) (i32.const 8)))
        (local.set $ws (f32.load offset=65536 (i32.shl (i32.load16_u (local.get $p)) (i32.const 2))))
        (local.set $at (i32.add (local.get $a) (local.get $o)))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $we) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $wo) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $xe) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $xo) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d0) (local.get $s))))))))
        (local.set $at (i32.add (local.get $a1) (local.get $o)))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $we) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $wo) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $xe) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $xo) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d1) (local.get $s))))))))
        (local.set $at (i32.add (local.get $a2) (local.get $o)))
        (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $we) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $wo) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $xe) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $xo) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d2) (local.get $s))))))))
        (local.set $at (i32.add (local.get $a3) (local.get $o)))
        (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $we) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $wo) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $xe) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $xo) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d3) (local.get $s))))))))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 34))) (local.get $pend))))))
      (call $store_row4 (local.get $out) (local.get $outStride) (local.get $r) (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0, four tokens: per block the nibbles less 8 in four int16 vectors (matvec_q4_0's) and
  ;; the weight scale once, then each token's integer dot, scale and float lanes.
  (func $matmul4_q4_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $r i32) (local $p i32) (local $pend i32) (local $o i32) (local $s i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32) (local $at i32)
    (local $v v128) (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128) (local $m15 v128) (local $e8 v128) (local $ws f32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $m15 (v128.const i16x8 15 15 15 15 15 15 15 15))
    (local.set $e8 (v128.const i16x8 8 8 8 8 8 8 8 8))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $a1 (i32.add (local.get $a) (local.get $aStride)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $aStride)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $aStride)))
    (local.set $d0 (i32.add (local.get $a) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $d1 (i32.add (local.get $a1) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $d2 (i32.add (local.get $a2) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $d3 (i32.add (local.get $a3) (i32.shl (local.get $nb) (i32.const 6))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (i32.mul (local.get $r) (local.get $nb)) (i32.const 18))))
      (local.set $pend (i32.add (local.get $p) (i32.mul (local.get $nb) (i32.const 18))))
      (local.set $o (i32.const 0))
      (local.set $s (i32.const 0))
      (local.set $acc0 (v128.const i32x4 0 0 0 0))
      (local.set $acc1 (v128.const i32x4 0 0 0 0))
      (local.set $acc2 (v128.const i32x4 0 0 0 0))
      (local.set $acc3 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        (local.set $v (v128.load offset=2 (local.get $p)))
        (local.set $n0 (i16x8.sub (v128.and (local.get $v) (local.get $m15)) (local.get $e8)))
        (local.set $n1 (i16x8.sub (v128.and (i16x8.shr_u (local.get $v) (i32.const 8)) (local.get $m15)) (local.get $e8)))
        (local.set $n2 (i16x8.sub (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $m15)) (local.get $e8)))
        (local.set $n3 (i16x8.sub (i16x8.shr_u (local.get $v) (i32.const 12)) (local.get $e8)))
        (local.set $ws (f32.load offset=65536 (i32.shl (i32.load16_u (local.get $p)) (i32.const 2))))
        (local.set $at (i32.add (local.get $a) (local.get $o)))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n0) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n1) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n2) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n3) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d0) (local.get $s))))))))
        (local.set $at (i32.add (local.get $a1) (local.get $o)))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n0) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n1) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n2) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n3) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d1) (local.get $s))))))))
        (local.set $at (i32.add (local.get $a2) (local.get $o)))
        (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n0) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n1) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n2) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n3) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d2) (local.get $s))))))))
        (local.set $at (i32.add (local.get $a3) (local.get $o)))
        (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n0) (v128.load offset=0 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n1) (v128.load offset=16 (local.get $at))))
            (i32x4.add (i32x4.dot_i16x8_s (local.get $n2) (v128.load offset=32 (local.get $at))) (i32x4.dot_i16x8_s (local.get $n3) (v128.load offset=48 (local.get $at))))))
          (f32x4.splat (f32.mul (local.get $ws) (f32.load (i32.add (local.get $d3) (local.get $s))))))))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 18))) (local.get $pend))))))
      (call $store_row4 (local.get $out) (local.get $outStride) (local.get $r) (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0, eight tokens: here two four-token products (kernels-revec.wat has one that unpacks
  ;; each weight block once for all eight)
  (func $matmul8_q4_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (call $matmul4_q4_0 (local.get $w) (local.get $a) (local.get $aStride) (local.get $out) (local.get $outStride) (local.get $r0) (local.get $r1) (local.get $cols))
    (call $matmul4_q4_0 (local.get $w) (i32.add (local.get $a) (i32.shl (local.get $aStride) (i32.const 2))) (local.get $aStride)
      (i32.add (local.get $out) (i32.shl (local.get $outStride) (i32.const 2))) (local.get $outStride) (local.get $r0) (local.get $r1) (local.get $cols)))

  ;; out_t[r] = the sum of acc_t's lanes as matvec_q8_0 and matvec_q4_0 sum them, for t < 4
  (func $store_row4 (param $out i32) (param $outStride i32) (param $r i32) (param $acc0 v128) (param $acc1 v128) (param $acc2 v128) (param $acc3 v128)
    (local $at i32)
    (local.set $at (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))))
    (f32.store (local.get $at) (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
    (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc1)) (f32x4.extract_lane 1 (local.get $acc1)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc1)) (f32x4.extract_lane 3 (local.get $acc1)))))
    (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc2)) (f32x4.extract_lane 1 (local.get $acc2)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc2)) (f32x4.extract_lane 3 (local.get $acc2)))))
    (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc3)) (f32x4.extract_lane 1 (local.get $acc3)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc3)) (f32x4.extract_lane 3 (local.get $acc3))))))

  ;; out = x / sqrt(mean(x^2) + eps) * weight, in f64 as the reference (same order: bit-identical)
  (func $rms_norm (export "rms_norm") (param $x i32) (param $w i32) (param $out i32) (param $n i32) (param $eps f64)
    (local $i i32) (local $sum f64) (local $v f64)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $v) (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (call $rms_scale (local.get $x) (local.get $w) (local.get $out) (local.get $n)
      (f64.div (f64.const 1) (f64.sqrt (f64.add (f64.div (local.get $sum) (f64.convert_i32_u (local.get $n))) (local.get $eps))))))

  ;; rms_norm's second pass: out[i] = (x[i] * scale) * w[i] in f64, two values at a time (each
  ;; lane the scalar's operations: the same bits)
  (func $rms_scale (param $x i32) (param $w i32) (param $out i32) (param $n i32) (param $scale f64)
    (local $j i32) (local $end2 i32) (local $s v128)
    (local.set $s (f64x2.splat (local.get $scale)))
    (local.set $end2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $j) (local.get $end2)))
      (i64.store (i32.add (local.get $out) (local.get $j)) (i64x2.extract_lane 0 (f32x4.demote_f64x2_zero (f64x2.mul
        (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $j)))) (local.get $s))
        (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $j))))))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $l)))
    (if (i32.and (local.get $n) (i32.const 1)) (then
      (f32.store (i32.add (local.get $out) (local.get $end2)) (f32.demote_f64 (f64.mul
        (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $end2)))) (local.get $scale))
        (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $end2))))))))))

  ;; rms_norm of `tokens` rows of n values (row t at x + 4 n t, into out + 4 n t), each row
  ;; bit for bit rms_norm's: four rows' sums of squares at once in two f64x2 (rows 0 and 1,
  ;; 2 and 3), each lane its row's sum in rms_norm's order (one chain of dependent adds, about
  ;; 3 cycles each, bounds rms_norm: four chains side by side cost about one); the last
  ;; tokens % 4 rows through rms_norm
  (func (export "rms_norm_tokens") (param $x i32) (param $w i32) (param $out i32) (param $n i32) (param $tokens i32) (param $eps f64)
    (local $t i32) (local $row i32) (local $j i32) (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $o i32)
    (local $s01 v128) (local $s23 v128) (local $v v128) (local $nf v128) (local $ev v128)
    (local.set $row (i32.shl (local.get $n) (i32.const 2)))
    (local.set $nf (f64x2.splat (f64.convert_i32_u (local.get $n))))
    (local.set $ev (f64x2.splat (local.get $eps)))
    (block $groups_done (loop $groups
      (br_if $groups_done (i32.gt_u (i32.add (local.get $t) (i32.const 4)) (local.get $tokens)))
      (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $row))))
      (local.set $x1 (i32.add (local.get $x0) (local.get $row)))
      (local.set $x2 (i32.add (local.get $x1) (local.get $row)))
      (local.set $x3 (i32.add (local.get $x2) (local.get $row)))
      (local.set $s01 (v128.const f64x2 0 0))
      (local.set $s23 (v128.const f64x2 0 0))
      (local.set $j (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $j) (local.get $row)))
        (local.set $v (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $x0) (local.get $j)))))
          (f64.promote_f32 (f32.load (i32.add (local.get $x1) (local.get $j))))))
        (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $v) (local.get $v))))
        (local.set $v (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $x2) (local.get $j)))))
          (f64.promote_f32 (f32.load (i32.add (local.get $x3) (local.get $j))))))
        (local.set $s23 (f64x2.add (local.get $s23) (f64x2.mul (local.get $v) (local.get $v))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
      ;; each row's scale as rms_norm's: 1 / sqrt(sum / n + eps)
      (local.set $s01 (f64x2.div (v128.const f64x2 1 1) (f64x2.sqrt (f64x2.add (f64x2.div (local.get $s01) (local.get $nf)) (local.get $ev)))))
      (local.set $s23 (f64x2.div (v128.const f64x2 1 1) (f64x2.sqrt (f64x2.add (f64x2.div (local.get $s23) (local.get $nf)) (local.get $ev)))))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $row))))
      (call $rms_scale (local.get $x0) (local.get $w) (local.get $o) (local.get $n) (f64x2.extract_lane 0 (local.get $s01)))
      (call $rms_scale (local.get $x1) (local.get $w) (local.tee $o (i32.add (local.get $o) (local.get $row))) (local.get $n) (f64x2.extract_lane 1 (local.get $s01)))
      (call $rms_scale (local.get $x2) (local.get $w) (local.tee $o (i32.add (local.get $o) (local.get $row))) (local.get $n) (f64x2.extract_lane 0 (local.get $s23)))
      (call $rms_scale (local.get $x3) (local.get $w) (local.tee $o (i32.add (local.get $o) (local.get $row))) (local.get $n) (f64x2.extract_lane 1 (local.get $s23)))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br $groups)))
    (block $done (loop $rest
      (br_if $done (i32.ge_u (local.get $t) (local.get $tokens)))
      (call $rms_norm (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $row))) (local.get $w)
        (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $row))) (local.get $n) (local.get $eps))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $rest))))

  ;; x[i] += y[i] for i < n (the residual stream): each sum rounded to float32, as the
  ;; session's loop rounds its float64 sum (for + the two roundings agree), the same bits
  (func (export "add_f32") (param $x i32) (param $y i32) (param $n i32)
    (local $j i32) (local $end4 i32) (local $end i32)
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_u (local.get $j) (local.get $end4)))
      (v128.store (i32.add (local.get $x) (local.get $j))
        (f32x4.add (v128.load (i32.add (local.get $x) (local.get $j))) (v128.load (i32.add (local.get $y) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $l4)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $j) (local.get $end)))
      (f32.store (i32.add (local.get $x) (local.get $j))
        (f32.add (f32.load (i32.add (local.get $x) (local.get $j))) (f32.load (i32.add (local.get $y) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l))))

  ;; out = (x - mean) / sqrt(var + eps) * weight + bias, in f64 as the reference (bit-identical)
  (func (export "layer_norm") (param $x i32) (param $w i32) (param $bias i32) (param $out i32) (param $n i32) (param $eps f64)
    (local $i i32) (local $mean f64) (local $var f64) (local $v f64) (local $scale f64)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $mean (f64.add (local.get $mean) (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.set $mean (f64.div (local.get $mean) (f64.convert_i32_u (local.get $n))))
    (local.set $i (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))) (local.get $mean)))
      (local.set $var (f64.add (local.get $var) (f64.mul (local.get $v) (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1)))
    (local.set $scale (f64.div (f64.const 1) (f64.sqrt (f64.add (f64.div (local.get $var) (f64.convert_i32_u (local.get $n))) (local.get $eps)))))
    (local.set $i (i32.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $i) (local.get $n)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
        (f32.demote_f64 (f64.add
          (f64.mul
            (f64.mul (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))) (local.get $mean)) (local.get $scale))
            (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2))))))
          (f64.promote_f32 (f32.load (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 2))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l2))))

  ;; split-halves RoPE in place: x: [heads, headDim] f32; cs: [headDim/2] pairs (cos, sin) as f64
  (func (export "rope") (param $x i32) (param $heads i32) (param $headDim i32) (param $cs i32)
    (local $h i32) (local $i i32) (local $half i32) (local $pa i32) (local $pb i32) (local $c f64) (local $s f64) (local $x0 f64) (local $x1 f64)
    (local.set $half (i32.shr_u (local.get $headDim) (i32.const 1)))
    (block $dh (loop $lh
      (br_if $dh (i32.ge_u (local.get $h) (local.get $heads)))
      (local.set $i (i32.const 0))
      (block $di (loop $li
        (br_if $di (i32.ge_u (local.get $i) (local.get $half)))
        (local.set $c (f64.load (i32.add (local.get $cs) (i32.shl (local.get $i) (i32.const 4)))))
        (local.set $s (f64.load offset=8 (i32.add (local.get $cs) (i32.shl (local.get $i) (i32.const 4)))))
        (local.set $pa (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $h) (local.get $headDim)) (local.get $i)) (i32.const 2))))
        (local.set $pb (i32.add (local.get $pa) (i32.shl (local.get $half) (i32.const 2))))
        (local.set $x0 (f64.promote_f32 (f32.load (local.get $pa))))
        (local.set $x1 (f64.promote_f32 (f32.load (local.get $pb))))
        (f32.store (local.get $pa) (f32.demote_f64 (f64.sub (f64.mul (local.get $x0) (local.get $c)) (f64.mul (local.get $x1) (local.get $s)))))
        (f32.store (local.get $pb) (f32.demote_f64 (f64.add (f64.mul (local.get $x1) (local.get $c)) (f64.mul (local.get $x0) (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $li)))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $lh))))

  ;; e^x in 4 float lanes (Cephes expf: x = n ln2 + r, |r| <= ln2/2, a degree-7 polynomial in r,
  ;; times 2^n; relative error about 1e-7). x is clamped to [-87.3, 88.7], where 2^n stays a
  ;; normal float (pmin/pmax: single instructions that pass a NaN x through). n is rounded by
  ;; adding 1.5 * 2^23, which leaves n + 2^22 + 2^23 in the low mantissa bits.
  (func $exp_f32x4 (param $x v128) (result v128) (local $t v128) (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 88.7 88.7 88.7 88.7)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
    (local.set $t (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 0x1.8p23 0x1.8p23 0x1.8p23 0x1.8p23)))
    (local.set $n (f32x4.sub (local.get $t) (v128.const f32x4 0x1.8p23 0x1.8p23 0x1.8p23 0x1.8p23)))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
      (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; 2^n: the integer n sits in t's bits as 0x4B400000 + n; shifted into the exponent field with the bias
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.sub (local.get $t) (v128.const i32x4 0x4B400000 0x4B400000 0x4B400000 0x4B400000)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; SwiGLU's gating in place: up[i] *= silu(gate[i]) = gate[i] / (1 + e^-gate[i]), n values
  ;; (a multiple of 4 first, then the rest one lane at a time).
  (func $swiglu (export "swiglu") (param $gate i32) (param $up i32) (param $n i32)
    (local $i i32) (local $end4 i32) (local $g v128) (local $gp i32) (local $upp i32)
    (local $x v128) (local $t v128) (local $k v128) (local $r v128) (local $e v128)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    ;; 4 values per step with $exp_f32x4 written out, operation for operation (a call per 4
    ;; values was a third of the time), then the rest one lane at a time through the call
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $gp (i32.add (local.get $gate) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $upp (i32.add (local.get $up) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $g (v128.load (local.get $gp)))
      (local.set $x (f32x4.pmax (f32x4.pmin (f32x4.neg (local.get $g)) (v128.const f32x4 88.7 88.7 88.7 88.7)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
      (local.set $t (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 0x1.8p23 0x1.8p23 0x1.8p23 0x1.8p23)))
      (local.set $k (f32x4.sub (local.get $t) (v128.const f32x4 0x1.8p23 0x1.8p23 0x1.8p23 0x1.8p23)))
      (local.set $r (f32x4.sub
        (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
      (local.set $e (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
      (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
      (local.set $e (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $e) (local.get $r)) (local.get $r)) (local.get $r)) (v128.const f32x4 1 1 1 1)))
      (local.set $e (f32x4.mul (local.get $e)
        (i32x4.shl (i32x4.add (i32x4.sub (local.get $t) (v128.const i32x4 0x4B400000 0x4B400000 0x4B400000 0x4B400000)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
      (v128.store (local.get $upp) (f32x4.mul (v128.load (local.get $upp))
        (f32x4.div (local.get $g) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $gp (i32.add (local.get $gate) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $upp (i32.add (local.get $up) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $g (v128.load32_splat (local.get $gp)))
      (f32.store (local.get $upp) (f32.mul (f32.load (local.get $upp))
        (f32x4.extract_lane 0 (f32x4.div (local.get $g) (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp_f32x4 (f32x4.neg (local.get $g))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1))))

  ;; swiglu over values [i0, i1) as a task of the thread pool (each value on its own: any cut
  ;; of the range computes the same values as one call over it).
  (func (export "swiglu_range") (param $gate i32) (param $up i32) (param $i0 i32) (param $i1 i32)
    (call $swiglu (i32.add (local.get $gate) (i32.shl (local.get $i0) (i32.const 2))) (i32.add (local.get $up) (i32.shl (local.get $i0) (i32.const 2)))
      (i32.sub (local.get $i1) (local.get $i0))))

  ;; in place over x[0..n): max-subtracted softmax, e^x in 4 float lanes ($exp_f32x4), the sum
  ;; in f64, then one reciprocal; within float32 rounding of the reference (e and the sum in
  ;; f64, a division per value). 4 values per step, then the rest one lane at a time.
  (func $softmax (export "softmax") (param $x i32) (param $n i32)
    (local $i i32) (local $end4 i32) (local $p i32) (local $max f32) (local $m v128) (local $e v128) (local $sum f64) (local $inv v128)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
    (block $dm (loop $lm
      (br_if $dm (i32.ge_u (local.get $i) (local.get $end4)))
      ;; pmax keeps the accumulator where the new value is NaN, as the scalar comparison below
      (local.set $m (f32x4.pmax (local.get $m) (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $lm)))
    (local.set $max (f32x4.extract_lane 0 (local.get $m)))
    (if (f32.gt (f32x4.extract_lane 1 (local.get $m)) (local.get $max)) (then (local.set $max (f32x4.extract_lane 1 (local.get $m)))))
    (if (f32.gt (f32x4.extract_lane 2 (local.get $m)) (local.get $max)) (then (local.set $max (f32x4.extract_lane 2 (local.get $m)))))
    (if (f32.gt (f32x4.extract_lane 3 (local.get $m)) (local.get $max)) (then (local.set $max (f32x4.extract_lane 3 (local.get $m)))))
    (block $dt (loop $lt
      (br_if $dt (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (if (f32.gt (f32.load (local.get $p)) (local.get $max)) (then (local.set $max (f32.load (local.get $p)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $lt)))
    (local.set $m (f32x4.splat (local.get $max)))
    (local.set $i (i32.const 0))
    (block $de (loop $le
      (br_if $de (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $e (call $exp_f32x4 (f32x4.sub (v128.load (local.get $p)) (local.get $m))))
      (v128.store (local.get $p) (local.get $e))
      (local.set $sum (f64.add (local.get $sum) (f64.add
        (f64.add (f64.promote_f32 (f32x4.extract_lane 0 (local.get $e))) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $e))))
        (f64.add (f64.promote_f32 (f32x4.extract_lane 2 (local.get $e))) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $e)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $le)))
    (block $de1 (loop $le1
      (br_if $de1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $e (call $exp_f32x4 (f32x4.sub (v128.load32_splat (local.get $p)) (local.get $m))))
      (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $e)))
      (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $e)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $le1)))
    (local.set $inv (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (local.get $sum)))))
    (local.set $i (i32.const 0))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $inv)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $ln)))
    (block $dn1 (loop $ln1
      (br_if $dn1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (f32x4.extract_lane 0 (local.get $inv))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $ln1))))

  ;; causal attention of one query over `length` cached positions, heads [h0, h1):
  ;; q, out: [heads, headDim]; keys, values: [length, kvHeads*headDim]; scores: f32 [length] scratch.
  ;; headDim must be a multiple of 4.
  (func $attention (export "attention") (param $q i32) (param $keys i32) (param $values i32) (param $length i32)
    (param $h0 i32) (param $h1 i32) (param $kvHeads i32) (param $headDim i32) (param $group i32) (param $out i32) (param $scores i32)
    (local $h i32) (local $t i32) (local $d i32) (local $qp i32) (local $kp i32) (local $op i32) (local $stride i32) (local $kvOff i32) (local $bytes i32) (local $end4 i32)
    (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $qv v128)
    (local $acc v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $pt v128) (local $scale f64)
    (local.set $stride (i32.shl (i32.mul (local.get $kvHeads) (local.get $headDim)) (i32.const 2)))
    (local.set $bytes (i32.shl (local.get $headDim) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $length) (i32.const -4)))
    (local.set $scale (f64.div (f64.const 1) (f64.sqrt (f64.convert_i32_u (local.get $headDim)))))
    (local.set $h (local.get $h0))
    (block $dh (loop $lh
      (br_if $dh (i32.ge_u (local.get $h) (local.get $h1)))
      (local.set $qp (i32.add (local.get $q) (i32.shl (i32.mul (local.get $h) (local.get $headDim)) (i32.const 2))))
      (local.set $op (i32.add (local.get $out) (i32.shl (i32.mul (local.get $h) (local.get $headDim)) (i32.const 2))))
      (local.set $kvOff (i32.shl (i32.mul (i32.div_u (local.get $h) (local.get $group)) (local.get $headDim)) (i32.const 2)))
      ;; scores[t] = (q . k_t) / sqrt(headDim), four positions at a time: four independent sums,
      ;; each over d in order as one position's alone (one chain of adds was the latency bound)
      (local.set $t (i32.const 0))
      (block $dt4 (loop $lt4
        (br_if $dt4 (i32.ge_u (local.get $t) (local.get $end4)))
        (local.set $kp (i32.add (i32.add (local.get $keys) (i32.mul (local.get $t) (local.get $stride))) (local.get $kvOff)))
        (local.set $k1 (i32.add (local.get $kp) (local.get $stride)))
        (local.set $k2 (i32.add (local.get $k1) (local.get $stride)))
        (local.set $k3 (i32.add (local.get $k2) (local.get $stride)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $ld4
          (local.set $qv (v128.load (i32.add (local.get $qp) (local.get $d))))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $kp) (local.get $d))))))
          (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k1) (local.get $d))))))
          (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k2) (local.get $d))))))
          (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k3) (local.get $d))))))
          (br_if $ld4 (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $bytes))))
        (call $store_score (local.get $scores) (local.get $t) (local.get $acc) (local.get $scale))
        (call $store_score (local.get $scores) (i32.add (local.get $t) (i32.const 1)) (local.get $acc1) (local.get $scale))
        (call $store_score (local.get $scores) (i32.add (local.get $t) (i32.const 2)) (local.get $acc2) (local.get $scale))
        (call $store_score (local.get $scores) (i32.add (local.get $t) (i32.const 3)) (local.get $acc3) (local.get $scale))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br $lt4)))
      (block $dt (loop $lt
        (br_if $dt (i32.ge_u (local.get $t) (local.get $length)))
        (local.set $kp (i32.add (i32.add (local.get $keys) (i32.mul (local.get $t) (local.get $stride))) (local.get $kvOff)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $ld
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $qp) (local.get $d))) (v128.load (i32.add (local.get $kp) (local.get $d))))))
          (br_if $ld (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $bytes))))
        (call $store_score (local.get $scores) (local.get $t) (local.get $acc) (local.get $scale))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $lt)))
      (call $softmax (local.get $scores) (local.get $length))
      ;; out_h = sum_t p_t v_t, 16 values at a time in four accumulators over every t (in
      ;; order, as a sum kept in out would be; a load and store of out per position and
      ;; vector was the bound), then 4 at a time
      (local.set $d (i32.const 0))
      (block $dv4 (loop $lv4
        (br_if $dv4 (i32.gt_u (i32.add (local.get $d) (i32.const 64)) (local.get $bytes)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $kp (i32.add (i32.add (local.get $values) (local.get $kvOff)) (local.get $d)))
        (local.set $t (i32.const 0))
        (block $dvt (loop $lvt
          (br_if $dvt (i32.ge_u (local.get $t) (local.get $length)))
          (local.set $pt (v128.load32_splat (i32.add (local.get $scores) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $pt) (v128.load (local.get $kp)))))
          (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $pt) (v128.load offset=16 (local.get $kp)))))
          (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $pt) (v128.load offset=32 (local.get $kp)))))
          (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $pt) (v128.load offset=48 (local.get $kp)))))
          (local.set $kp (i32.add (local.get $kp) (local.get $stride)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $lvt)))
        (v128.store (i32.add (local.get $op) (local.get $d)) (local.get $acc))
        (v128.store offset=16 (i32.add (local.get $op) (local.get $d)) (local.get $acc1))
        (v128.store offset=32 (i32.add (local.get $op) (local.get $d)) (local.get $acc2))
        (v128.store offset=48 (i32.add (local.get $op) (local.get $d)) (local.get $acc3))
        (local.set $d (i32.add (local.get $d) (i32.const 64)))
        (br $lv4)))
      (block $dv (loop $lv
        (br_if $dv (i32.ge_u (local.get $d) (local.get $bytes)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $kp (i32.add (i32.add (local.get $values) (local.get $kvOff)) (local.get $d)))
        (local.set $t (i32.const 0))
        (block $dvt1 (loop $lvt1
          (br_if $dvt1 (i32.ge_u (local.get $t) (local.get $length)))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_splat (i32.add (local.get $scores) (i32.shl (local.get $t) (i32.const 2)))) (v128.load (local.get $kp)))))
          (local.set $kp (i32.add (local.get $kp) (local.get $stride)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $lvt1)))
        (v128.store (i32.add (local.get $op) (local.get $d)) (local.get $acc))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $lv)))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $lh))))

  ;; scores[t] = (the lanes of acc, (0+1)+(2+3)) * scale, rounded once from float64
  (func $store_score (param $scores i32) (param $t i32) (param $acc v128) (param $scale f64)
    (f32.store (i32.add (local.get $scores) (i32.shl (local.get $t) (i32.const 2)))
      (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))) (local.get $scale)))))

  ;; causal attention of `tokens` consecutive queries as one task (a prompt's tokens, once the
  ;; cache holds all of their positions): the (token, head) pairs [i0, i1) of tokens x heads,
  ;; token t over the first length0 + t positions, each pair exactly the attention export's
  ;; work for that head alone. q, out: [tokens, heads * headDim]; scores: f32 [length0 + tokens - 1].
  (func (export "attention_tokens") (param $q i32) (param $keys i32) (param $values i32) (param $length0 i32)
    (param $i0 i32) (param $i1 i32) (param $heads i32) (param $kvHeads i32) (param $headDim i32) (param $group i32) (param $out i32) (param $scores i32)
    (local $i i32) (local $t i32) (local $h i32) (local $at i32)
    (local.set $i (local.get $i0))
    (block $done (loop $pairs
      (br_if $done (i32.ge_u (local.get $i) (local.get $i1)))
      (local.set $t (i32.div_u (local.get $i) (local.get $heads)))
      (local.set $h (i32.sub (local.get $i) (i32.mul (local.get $t) (local.get $heads))))
      (local.set $at (i32.shl (i32.mul (i32.mul (local.get $t) (local.get $heads)) (local.get $headDim)) (i32.const 2)))
      (call $attention (i32.add (local.get $q) (local.get $at)) (local.get $keys) (local.get $values) (i32.add (local.get $length0) (local.get $t))
        (local.get $h) (i32.add (local.get $h) (i32.const 1)) (local.get $kvHeads) (local.get $headDim) (local.get $group)
        (i32.add (local.get $out) (local.get $at)) (local.get $scores))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $pairs))))

  ;; index of the largest of x[0..n), the first on ties (NaN never wins, as the reference)
  (func (export "argmax") (param $x i32) (param $n i32) (result i32)
    (local $i i32) (local $best i32) (local $bv f32) (local $v f32)
    (local.set $bv (f32.load (local.get $x)))
    (local.set $i (i32.const 1))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
      (if (f32.gt (local.get $v) (local.get $bv)) (then (local.set $bv (local.get $v)) (local.set $best (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $best))
)
