;; The relaxed-SIMD kernels of the cpu-wasm backend: definitions that take the place of the
;; functions of the same name in kernels.wat (wat-splice.ts) on runtimes that validate the
;; relaxed SIMD proposal (Node 22 with a flag, Node 24 by default). Everything not here is
;; kernels.wat's. A weight's f16 scale is read from the table as (i32.add (i32.shl h 2) (i32.const
;; 65536)), not with offset=65536: V8 folds that into one lea (kernels-revec.wat says what it saves).
;;
;; i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, c): lane i = c[i] + sum_{j<4} a[4i+j] * b[4i+j],
;; a signed bytes, b bytes whose top bit is clear (0..127); with b's top bit set the result is
;; implementation-defined (signed or unsigned), and an implementation may form the pairwise
;; sums in 16 bits (x64 without VNNI: pmaddubsw, saturating). Every dot here keeps b in
;; 0..127 and |a| <= 128, so a pair sums to at most 2 * 128 * 127 = 32512 < 32767: the integer
;; dots are exact on every implementation, as the base kernels' are.
;;   Q4_0: b = the nibbles (0..15), a = the activation; the "- 8" of each nibble is folded into
;;         a correction that starts each lane's sum: -8 times the sum of the activations that
;;         lane multiplies, so every lane holds the exact partial sum of its own terms
;;         sum a_j (q_j - 8) (a correction shared evenly across lanes would leave lanes that
;;         cancel only after scaling, and lose the float32 accuracy of the base kernel).
;;   Q8_0: the weights are signed (-128..127), so they are a, and the activation is split into
;;         its positive and negative parts p = max(a, 0), n = max(-a, 0) (0..127 each, since
;;         the quantizer's values lie in -127..127): w . a = w . p - w . n.
;; f32: f32x4.relaxed_madd (fused on x64 with FMA, else a multiply and an add): agreement with
;; the reference to rounding, as the base product.
;;
;; Activation layout (relaxed A8_0) over n = 32*nb values, quantized as quantize_row_q8_0_ref:
;;   per block 96 bytes at a + 96*b: qs int8 [32] in order, p [32], n [32];
;;   then d f32 [nb] at a + 96*nb (the f16-rounded scale);
;;   then c int32x4 [nb] at a + 100*nb: lane i = -8 * (qs[4i..4i+3] + qs[16+4i..16+4i+3]), the
;;   activations that lane i of matvec_q4_0's two dots multiplies. (kernels-revec.wat lays the
;;   same blocks out its own way.)

(module
;; one block of 32 floats at $p as quantize_row_q8_0_ref: its quants 0..15 and 16..31, its
  ;; scale rounded to f16 (as float32), and the sum of v - v over it (NaN exactly when some v is
  ;; not finite). The block's eight vectors are loaded once; amax by pmax (one maxps; the
  ;; NaN-propagating f32x4.max costs V8 several instructions), the non-finite flag apart;
  ;; roundf(v) from t = trunc(2v), exact since 2v is: roundf(v) = ceil(t / 2) = (t >> 1) + (t & 1)
  ;; for v >= 0, floor(t / 2) = t >> 1 below, saturating past int8 as the narrowing does (checked
  ;; once exhaustively, every float32, against roundf by trunc, compare and add). Written out for
  ;; each vector: V8 does not inline a function here, and a call each ran 25% slower.
  (func $quantize_block_q8_0 (param $p i32) (result v128 v128 f32 v128)
    (local $bad v128) (local $m v128) (local $amax f32) (local $d f32) (local $id f32) (local $vid v128) (local $one v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v4 v128) (local $v5 v128) (local $v6 v128) (local $v7 v128)
    (local.set $one (v128.const i32x4 1 1 1 1))
    (local.set $v0 (v128.load offset=0 (local.get $p)))
    (local.set $v1 (v128.load offset=16 (local.get $p)))
    (local.set $v2 (v128.load offset=32 (local.get $p)))
    (local.set $v3 (v128.load offset=48 (local.get $p)))
    (local.set $v4 (v128.load offset=64 (local.get $p)))
    (local.set $v5 (v128.load offset=80 (local.get $p)))
    (local.set $v6 (v128.load offset=96 (local.get $p)))
    (local.set $v7 (v128.load offset=112 (local.get $p)))
    (local.set $bad (f32x4.add
      (f32x4.add (f32x4.add (f32x4.sub (local.get $v0) (local.get $v0)) (f32x4.sub (local.get $v1) (local.get $v1))) (f32x4.add (f32x4.sub (local.get $v2) (local.get $v2)) (f32x4.sub (local.get $v3) (local.get $v3))))
      (f32x4.add (f32x4.add (f32x4.sub (local.get $v4) (local.get $v4)) (f32x4.sub (local.get $v5) (local.get $v5))) (f32x4.add (f32x4.sub (local.get $v6) (local.get $v6)) (f32x4.sub (local.get $v7) (local.get $v7))))))
    (local.set $m (f32x4.pmax
      (f32x4.pmax (f32x4.pmax (f32x4.abs (local.get $v0)) (f32x4.abs (local.get $v1))) (f32x4.pmax (f32x4.abs (local.get $v2)) (f32x4.abs (local.get $v3))))
      (f32x4.pmax (f32x4.pmax (f32x4.abs (local.get $v4)) (f32x4.abs (local.get $v5))) (f32x4.pmax (f32x4.abs (local.get $v6)) (f32x4.abs (local.get $v7))))))
    (local.set $m (f32x4.pmax (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
    (local.set $amax (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m))))
    (local.set $d (f32.div (local.get $amax) (f32.const 127)))
    (local.set $id (select (f32.div (f32.const 1) (local.get $d)) (f32.const 0) (f32.ne (local.get $d) (f32.const 0))))
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
    (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $v0) (local.get $v1)) (i16x8.narrow_i32x4_s (local.get $v2) (local.get $v3)))
    (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $v4) (local.get $v5)) (i16x8.narrow_i32x4_s (local.get $v6) (local.get $v7)))
    (f32.load (i32.add (i32.shl (call $fp32_to_fp16 (local.get $d)) (i32.const 2)) (i32.const 65536)))
    (local.get $bad))

  ;; x: f32 [nb*32] at $x -> the layout above at $a, block by block. Returns 1 when some x is not finite.
  (func $quantize_q8_0 (export "quantize_q8_0") (param $x i32) (param $a i32) (param $nb i32) (result i32)
    (local $b i32) (local $q i32) (local $bad v128) (local $s0 v128) (local $s1 v128) (local $d f32) (local $zero v128)
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b) (local.get $nb)))
      (call $quantize_block_q8_0 (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 7))))
      (local.set $bad (f32x4.add (local.get $bad)))
      (local.set $d)
      (local.set $s1)
      (local.set $s0)
      (f32.store (i32.add (i32.mul (local.get $nb) (i32.const 96)) (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 2)))) (local.get $d))
      (local.set $q (i32.add (local.get $a) (i32.mul (local.get $b) (i32.const 96))))
      (v128.store (local.get $q) (local.get $s0))
      (v128.store offset=16 (local.get $q) (local.get $s1))
      (v128.store offset=32 (local.get $q) (i8x16.max_s (local.get $s0) (local.get $zero)))
      (v128.store offset=48 (local.get $q) (i8x16.max_s (local.get $s1) (local.get $zero)))
      (v128.store offset=64 (local.get $q) (i8x16.max_s (i8x16.neg (local.get $s0)) (local.get $zero)))
      (v128.store offset=80 (local.get $q) (i8x16.max_s (i8x16.neg (local.get $s1)) (local.get $zero)))
      (v128.store (i32.add (i32.mul (local.get $nb) (i32.const 100)) (i32.add (local.get $a) (i32.shl (local.get $b) (i32.const 4))))
        (i32x4.mul (v128.const i32x4 -8 -8 -8 -8) (i32x4.add
          (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s0)))
          (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s1))))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $blocks)))
    (v128.any_true (f32x4.ne (local.get $bad) (local.get $bad))))

  ;; f32 rows: out[r] = sum_c w[r, c] x[c], float32 lanes (4 accumulators of 4), multiply-adds relaxed
  (func $matvec_f32 (export "matvec_f32") (param $w i32) (param $x i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $row i32) (local $c i32) (local $end16 i32) (local $end4 i32) (local $wp i32) (local $xp i32)
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
        (local.set $wp (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $a0 (f32x4.relaxed_madd (v128.load (local.get $wp)) (v128.load (local.get $xp)) (local.get $a0)))
        (local.set $a1 (f32x4.relaxed_madd (v128.load offset=16 (local.get $wp)) (v128.load offset=16 (local.get $xp)) (local.get $a1)))
        (local.set $a2 (f32x4.relaxed_madd (v128.load offset=32 (local.get $wp)) (v128.load offset=32 (local.get $xp)) (local.get $a2)))
        (local.set $a3 (f32x4.relaxed_madd (v128.load offset=48 (local.get $wp)) (v128.load offset=48 (local.get $xp)) (local.get $a3)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $c16)))
      (block $d4 (loop $c4
        (br_if $d4 (i32.ge_u (local.get $c) (local.get $end4)))
        (local.set $a0 (f32x4.relaxed_madd
          (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
          (local.get $a0)))
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

  ;; Q8_0 rows x relaxed A8_0: per block w . p - w . n in 4 i32 lanes (exact, see the header),
  ;; scaled by dw * da into 4 float lanes across the row, summed once per row (as kernels.wat).
  ;; One row at a time, one weight stream: four rows' interleaved streams (tried; two as well)
  ;; ran the product of a 30 MB matrix at a quarter of the bandwidth on AMD EPYC (6-7 against
  ;; 24 GB/s), though faster on a matrix the cache holds (32 against 29 GB/s).
  (func $matvec_q8_0 (export "matvec_q8_0") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $dp i32) (local $ad i32)
    (local $w0 v128) (local $w1 v128) (local $zero v128) (local $acc v128)
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 34)))
    (local.set $ad (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 96))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $a))
      (local.set $dp (local.get $ad))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        (local.set $w0 (v128.load offset=2 (local.get $p)))
        (local.set $w1 (v128.load offset=18 (local.get $p)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $ya))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $ya)) (local.get $zero)))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=80 (local.get $ya))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=64 (local.get $ya)) (local.get $zero)))))
          (f32x4.splat (f32.mul (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))) (f32.load (local.get $dp)))))))
        (local.set $ya (i32.add (local.get $ya) (i32.const 96)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 34))) (local.get $pend))))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0 rows x relaxed A8_0: per block sum a (nibble - 8) in 4 i32 lanes (exact, see the
  ;; header), scaled by dw * da into 4 float lanes across the row. Byte j of a block holds
  ;; element j (low nibble) and element j + 16 (high nibble). One row at a time (see
  ;; matvec_q8_0).
  (func $matvec_q4_0 (export "matvec_q4_0") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $dp i32) (local $ad i32) (local $cp i32) (local $cd i32)
    (local $v v128) (local $acc v128) (local $m15 v128)
    (local.set $m15 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 18)))
    (local.set $ad (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 96))))
    (local.set $cd (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 100))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $cp (local.get $cd))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $a))
      (local.set $dp (local.get $ad))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        (local.set $v (v128.load offset=2 (local.get $p)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (i8x16.shr_u (local.get $v) (i32.const 4))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (v128.and (local.get $v) (local.get $m15))
                (v128.load (local.get $cp)))))
          (f32x4.splat (f32.mul (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))) (f32.load (local.get $dp)))))))
        (local.set $ya (i32.add (local.get $ya) (i32.const 96)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 4)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 18))) (local.get $pend))))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; matmul's four-token product for f32 is kernels.wat's (two passes of two tokens); its
  ;; two-token pass here with relaxed multiply-adds, operation for operation matvec_f32's row
  ;; for each token (eight accumulators; the weight vector loaded once for both tokens).
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
        (local.set $a0 (f32x4.relaxed_madd (local.get $v) (v128.load (i32.add (local.get $x0) (local.get $c4))) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (local.get $v) (v128.load (i32.add (local.get $x1) (local.get $c4))) (local.get $b0)))
        (local.set $v (v128.load offset=16 (local.get $wp)))
        (local.set $a1 (f32x4.relaxed_madd (local.get $v) (v128.load offset=16 (i32.add (local.get $x0) (local.get $c4))) (local.get $a1)))
        (local.set $b1 (f32x4.relaxed_madd (local.get $v) (v128.load offset=16 (i32.add (local.get $x1) (local.get $c4))) (local.get $b1)))
        (local.set $v (v128.load offset=32 (local.get $wp)))
        (local.set $a2 (f32x4.relaxed_madd (local.get $v) (v128.load offset=32 (i32.add (local.get $x0) (local.get $c4))) (local.get $a2)))
        (local.set $b2 (f32x4.relaxed_madd (local.get $v) (v128.load offset=32 (i32.add (local.get $x1) (local.get $c4))) (local.get $b2)))
        (local.set $v (v128.load offset=48 (local.get $wp)))
        (local.set $a3 (f32x4.relaxed_madd (local.get $v) (v128.load offset=48 (i32.add (local.get $x0) (local.get $c4))) (local.get $a3)))
        (local.set $b3 (f32x4.relaxed_madd (local.get $v) (v128.load offset=48 (i32.add (local.get $x1) (local.get $c4))) (local.get $b3)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $c16)))
      (block $d4 (loop $c4
        (br_if $d4 (i32.ge_u (local.get $c) (local.get $end4)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $v (v128.load (i32.add (local.get $row) (local.get $c4))))
        (local.set $a0 (f32x4.relaxed_madd (local.get $v) (v128.load (i32.add (local.get $x0) (local.get $c4))) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (local.get $v) (v128.load (i32.add (local.get $x1) (local.get $c4))) (local.get $b0)))
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

  ;; Q8_0, four tokens: per block the weight vectors and scale once, then each token's
  ;; w . p - w . n, scale and float lanes, operation for operation matvec_q8_0's one row.
  (func $matmul4_q8_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $dp i32) (local $ad i32)
    (local $w0 v128) (local $w1 v128) (local $zero v128)
    (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $dw f32)
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 34)))
    (local.set $ad (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 96))))
    (local.set $s1 (local.get $aStride))
    (local.set $s2 (i32.shl (local.get $aStride) (i32.const 1)))
    (local.set $s3 (i32.mul (local.get $aStride) (i32.const 3)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $a))
      (local.set $dp (local.get $ad))
      (local.set $acc0 (v128.const i32x4 0 0 0 0))
      (local.set $acc1 (v128.const i32x4 0 0 0 0))
      (local.set $acc2 (v128.const i32x4 0 0 0 0))
      (local.set $acc3 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        (local.set $w0 (v128.load offset=2 (local.get $p)))
        (local.set $w1 (v128.load offset=18 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $ya))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $ya)) (local.get $zero)))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=80 (local.get $ya))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=64 (local.get $ya)) (local.get $zero)))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (local.get $dp)))))))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (i32.add (local.get $ya) (local.get $s1)))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (i32.add (local.get $ya) (local.get $s1))) (local.get $zero)))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=80 (i32.add (local.get $ya) (local.get $s1)))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=64 (i32.add (local.get $ya) (local.get $s1))) (local.get $zero)))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (i32.add (local.get $dp) (local.get $s1))))))))
        (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (i32.add (local.get $ya) (local.get $s2)))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (i32.add (local.get $ya) (local.get $s2))) (local.get $zero)))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=80 (i32.add (local.get $ya) (local.get $s2)))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=64 (i32.add (local.get $ya) (local.get $s2))) (local.get $zero)))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (i32.add (local.get $dp) (local.get $s2))))))))
        (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul
          (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (i32.add (local.get $ya) (local.get $s3)))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (i32.add (local.get $ya) (local.get $s3))) (local.get $zero)))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=80 (i32.add (local.get $ya) (local.get $s3)))
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=64 (i32.add (local.get $ya) (local.get $s3))) (local.get $zero)))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (i32.add (local.get $dp) (local.get $s3))))))))
        (local.set $ya (i32.add (local.get $ya) (i32.const 96)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 34))) (local.get $pend))))))
      (call $store_row4 (local.get $out) (local.get $outStride) (local.get $r) (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0, four tokens: per block the nibbles split and the scale once, then each token's
  ;; dots, correction, scale and float lanes, operation for operation matvec_q4_0's one row.
  (func $matmul4_q4_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $dp i32) (local $ad i32) (local $cp i32) (local $cd i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $m15 v128)
    (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $dw f32)
    (local.set $m15 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 18)))
    (local.set $ad (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 96))))
    (local.set $cd (i32.add (local.get $a) (i32.mul (local.get $nb) (i32.const 100))))
    (local.set $s1 (local.get $aStride))
    (local.set $s2 (i32.shl (local.get $aStride) (i32.const 1)))
    (local.set $s3 (i32.mul (local.get $aStride) (i32.const 3)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $a))
      (local.set $dp (local.get $ad))
      (local.set $cp (local.get $cd))
      (local.set $acc0 (v128.const i32x4 0 0 0 0))
      (local.set $acc1 (v128.const i32x4 0 0 0 0))
      (local.set $acc2 (v128.const i32x4 0 0 0 0))
      (local.set $acc3 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then (loop $blocks
        (local.set $v (v128.load offset=2 (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $m15)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $hi)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo)
                (v128.load (local.get $cp)))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (local.get $dp)))))))
        (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (i32.add (local.get $ya) (local.get $s1))) (local.get $hi)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (i32.add (local.get $ya) (local.get $s1))) (local.get $lo)
                (v128.load (i32.add (local.get $cp) (local.get $s1))))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (i32.add (local.get $dp) (local.get $s1))))))))
        (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (i32.add (local.get $ya) (local.get $s2))) (local.get $hi)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (i32.add (local.get $ya) (local.get $s2))) (local.get $lo)
                (v128.load (i32.add (local.get $cp) (local.get $s2))))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (i32.add (local.get $dp) (local.get $s2))))))))
        (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (i32.add (local.get $ya) (local.get $s3))) (local.get $hi)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (i32.add (local.get $ya) (local.get $s3))) (local.get $lo)
                (v128.load (i32.add (local.get $cp) (local.get $s3))))))
          (f32x4.splat (f32.mul (local.get $dw) (f32.load (i32.add (local.get $dp) (local.get $s3))))))))
        (local.set $ya (i32.add (local.get $ya) (i32.const 96)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 4)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
        (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 18))) (local.get $pend))))))
      (call $store_row4 (local.get $out) (local.get $outStride) (local.get $r) (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))
)
