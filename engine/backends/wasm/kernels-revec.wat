;; The relaxed-SIMD products in the form V8's revectorization joins into 256-bit operations
;; (revectorize.ts): on runtimes that have it, these take the place of kernels-relaxed.wat's
;; functions of the same name (wat-splice.ts); everything else is kernels-relaxed.wat's and
;; kernels.wat's. Without the revectorizer this form is 15% slower than kernels-relaxed.wat's
;; (measured on Node 24, AMD EPYC: Q8_0 24 against 29 GB/s on a matrix the cache holds), so it
;; runs only with it.
;;
;; The form: accumulators in pairs whose operands are 16-byte loads 16 bytes apart and the same
;; operations on them, stored side by side at the end of each row to the thread's scratch
;; ($scratch, kernels.wat). The revectorizer starts from such a pair of stores and joins the
;; pair's whole tree (phis, multiply-adds, dots, loads) into 256-bit operations (vfmadd231ps,
;; vpdpbusd ymm on AVX-VNNI), lane for lane the same arithmetic: the results are bit-identical
;; with or without it. The row's sum then reads the pair back from scratch.
;;
;; The sums (the integer dots are exact as in kernels-relaxed.wat):
;;   f32: four accumulators of 4 lanes over each 16 columns (pairs a0 a1 and a2 a3), the
;;        4-column tail in a fifth; the row = ((a0 + a1) + (a2 + a3)) + a4, lanes (0+1)+(2+3).
;;   Q8_0: per block one accumulator for elements 0..15 (A) and one for 16..31 (B), each a
;;        relaxed multiply-add (fused on x64 with FMA) of float(w . p - w . n) and dw * da; blocks
;;        two at a time, then a last one; the row = A + B, lanes (0+1)+(2+3).
;;   Q4_0: blocks two at a time, the first of each pair into one accumulator (A) and the second
;;        into the other (B), each a relaxed multiply-add (fused on x64 with FMA) of float(the
;;        relaxed block dot with its correction) and (dw * da): 1-2% faster than a multiply and
;;        an add; an odd count's last block is a term t of its own; the row = (A + B) + t,
;;        lanes (0+1)+(2+3). The weights' pair is not adjacent (blocks are 18 bytes): V8 joins
;;        each pair of them with an insert, dw a load32_splat from the f16 table for each block.
;;        (Pairing two rows instead ran 2.4 times slower on AMD EPYC once the matrix came from
;;        memory, 1536 columns: two interleaved streams, as kernels-relaxed.wat says of Q8_0.)
;;
;; The activation (quantize_q8_0 here; each block as kernels-relaxed.wat's quantize_block_q8_0)
;; is laid out for these products, every operand of a pair of blocks at a fixed offset from one
;; pointer per token (with one pointer for each of qs, c and d, a four-token Q4_0 product ran
;; out of registers and spilled; 142-148 -> 169 GFLOP/s, 1536 x 576 x 64 tokens):
;;   pair j (blocks 2j = A, 2j + 1 = B) at a + 128 j, each 32 bytes A's half then B's:
;;     +0 qs[0..15], +32 qs[16..31], +64 c int32x4 (kernels-relaxed.wat's), +96 d f32x4 splat;
;;     an odd count's last block as a pair's A;
;;   then block b's Q8_0 operands at a + 128 ceil(nb / 2) + 80 b: p [32], n [32], d f32x4 splat.
;; A weight's f16 scale is read from the table as (i32.add (i32.shl h 2) (i32.const 65536)), not
;; with offset=65536 on the load: V8 folds the add into one lea (h * 4 + 65536), where an offset
;; cost a shift and the table's base made again for every block (24 -> 22 instructions a Q4_0
;; pair; SmolLM-135M shape Q4_0 one-thread decoding 256-258 -> 263-265 t/s, the Q8_0 product of a
;; 49152 x 576 matrix 31.9 -> 35.2 GB/s). kernels-relaxed.wat reads it the same way.
;; The token products (matmul2_f32, matmul2x2_f32 under matmul4_f32, matmul4_q8_0, matmul4_q4_0)
;; are operation for operation each token's row. (V8 also joins two loads that are not adjacent,
;; with an insert; the f32 and Q8_0 pairs are adjacent, one 256-bit load each.)

(module
  ;; f32 rows: out[r] = sum_c w[r, c] x[c]
  (func $matvec_f32 (export "matvec_f32") (param $w i32) (param $x i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $row i32) (local $c i32) (local $end16 i32) (local $end4 i32) (local $wp i32) (local $xp i32) (local $s i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $sum f32)
    (local.set $s (global.get $scratch))
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
      (local.set $a4 (v128.const i32x4 0 0 0 0))
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
        (local.set $a4 (f32x4.relaxed_madd
          (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (v128.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
          (local.get $a4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4)))
      (v128.store (local.get $s) (local.get $a0))
      (v128.store offset=16 (local.get $s) (local.get $a1))
      (v128.store offset=32 (local.get $s) (local.get $a2))
      (v128.store offset=48 (local.get $s) (local.get $a3))
      (local.set $sum (call $row_sum_f32 (local.get $s) (local.get $a4)))
      (block $d1 (loop $c1
        (br_if $d1 (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $sum (f32.add (local.get $sum) (f32.mul
          (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
          (f32.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; one f32 row's accumulators, stored at $at (a0..a3) and the tail's a4: ((a0 + a1) + (a2 + a3)) + a4, lanes (0+1)+(2+3)
  (func $row_sum_f32 (param $at i32) (param $a4 v128) (result f32)
    (local $a v128)
    (local.set $a (f32x4.add (f32x4.add
      (f32x4.add (v128.load (local.get $at)) (v128.load offset=16 (local.get $at)))
      (f32x4.add (v128.load offset=32 (local.get $at)) (v128.load offset=48 (local.get $at))))
      (local.get $a4)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))

  ;; Q8_0 rows x the pair layout's Q8_0 operands (header)
  (func $matvec_q8_0 (export "matvec_q8_0") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $ad i32) (local $s i32) (local $y i32)
    (local $w0 v128) (local $w1 v128) (local $ds v128) (local $dw f32) (local $a0 v128) (local $b0 v128)
    (local.set $s (global.get $scratch))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 34)))
    ;; the Q8_0 operands after the pairs' (header)
    (local.set $ad (i32.add (local.get $a) (i32.shl (i32.shr_u (i32.add (local.get $nb) (i32.const 1)) (i32.const 1)) (i32.const 7))))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $ad))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $b0 (v128.const i32x4 0 0 0 0))
      ;; blocks two at a time (one increment and test for both), then a last one; the test
      ;; counts the bytes left (over a 64-bit memory a row starts at offset 0 of its weight)
      (block $pairs_done (loop $pairs
        (br_if $pairs_done (i32.lt_u (i32.sub (local.get $pend) (local.get $p)) (i32.const 68)))
        (local.set $w0 (v128.load offset=2 (local.get $p)))
        (local.set $w1 (v128.load offset=18 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $ya)))))
        (local.set $a0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b0)))
        (local.set $w0 (v128.load offset=36 (local.get $p)))
        (local.set $w1 (v128.load offset=52 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u offset=34 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=144 (local.get $ya)))))
        (local.set $a0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=80 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=112 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=96 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=128 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b0)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 160)))
        (local.set $p (i32.add (local.get $p) (i32.const 68)))
        (br $pairs)))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then
        (local.set $w0 (v128.load offset=2 (local.get $p)))
        (local.set $w1 (v128.load offset=18 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $ya)))))
        (local.set $a0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b0)))
      ))
      (v128.store offset=0 (local.get $s) (local.get $a0))
      (v128.store offset=16 (local.get $s) (local.get $b0))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (call $row_sum_pair (local.get $s)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; one row's pair of accumulators stored at $at: A + B, lanes (0+1)+(2+3)
  (func $row_sum_pair (param $at i32) (result f32)
    (local $a v128)
    (local.set $a (f32x4.add (v128.load (local.get $at)) (v128.load offset=16 (local.get $at))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))

  ;; f32, two tokens: the weight vectors loaded once for both, operation for operation
  ;; matvec_f32's row for each token (token 0's accumulators at scratch + 0, token 1's at + 64)
  (func $matmul2_f32 (param $w i32) (param $x0 i32) (param $x1 i32) (param $o0 i32) (param $o1 i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $row i32) (local $c i32) (local $end16 i32) (local $end4 i32) (local $wp i32) (local $c4 i32) (local $s i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $b4 v128) (local $sa f32) (local $sb f32)
    (local.set $s (global.get $scratch))
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
      (local.set $a4 (v128.const i32x4 0 0 0 0))
      (local.set $b0 (v128.const i32x4 0 0 0 0))
      (local.set $b1 (v128.const i32x4 0 0 0 0))
      (local.set $b2 (v128.const i32x4 0 0 0 0))
      (local.set $b3 (v128.const i32x4 0 0 0 0))
      (local.set $b4 (v128.const i32x4 0 0 0 0))
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
        (local.set $a4 (f32x4.relaxed_madd (local.get $v) (v128.load (i32.add (local.get $x0) (local.get $c4))) (local.get $a4)))
        (local.set $b4 (f32x4.relaxed_madd (local.get $v) (v128.load (i32.add (local.get $x1) (local.get $c4))) (local.get $b4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4)))
      (v128.store (local.get $s) (local.get $a0))
      (v128.store offset=16 (local.get $s) (local.get $a1))
      (v128.store offset=32 (local.get $s) (local.get $a2))
      (v128.store offset=48 (local.get $s) (local.get $a3))
      (v128.store offset=64 (local.get $s) (local.get $b0))
      (v128.store offset=80 (local.get $s) (local.get $b1))
      (v128.store offset=96 (local.get $s) (local.get $b2))
      (v128.store offset=112 (local.get $s) (local.get $b3))
      (local.set $sa (call $row_sum_f32 (local.get $s) (local.get $a4)))
      (local.set $sb (call $row_sum_f32 (i32.add (local.get $s) (i32.const 64)) (local.get $b4)))
      (block $d1 (loop $c1
        (br_if $d1 (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $sa (f32.add (local.get $sa) (f32.mul
          (f32.load (i32.add (local.get $row) (local.get $c4)))
          (f32.load (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $sb (f32.add (local.get $sb) (f32.mul
          (f32.load (i32.add (local.get $row) (local.get $c4)))
          (f32.load (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1)))
      (f32.store (i32.add (local.get $o0) (i32.shl (local.get $r) (i32.const 2))) (local.get $sa))
      (f32.store (i32.add (local.get $o1) (i32.shl (local.get $r) (i32.const 2))) (local.get $sb))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q8_0, four tokens: per block the weight vectors and scale once, then each token's pair
  ;; (A, B) as matvec_q8_0's row (token t's pair at scratch + 32t)
  (func $matmul4_q8_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $ad i32) (local $s i32) (local $y i32) (local $y1 i32) (local $y2 i32) (local $y3 i32) (local $st i32)
    (local $w0 v128) (local $w1 v128) (local $ds v128) (local $dw f32) (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128) (local $a2 v128) (local $b2 v128) (local $a3 v128) (local $b3 v128)
    (local.set $s (global.get $scratch))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 34)))
    ;; the Q8_0 operands after the pairs' (header)
    (local.set $ad (i32.add (local.get $a) (i32.shl (i32.shr_u (i32.add (local.get $nb) (i32.const 1)) (i32.const 1)) (i32.const 7))))
    (local.set $st (local.get $aStride))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $ad))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $b0 (v128.const i32x4 0 0 0 0))
      (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $b1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0))
      (local.set $b2 (v128.const i32x4 0 0 0 0))
      (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $b3 (v128.const i32x4 0 0 0 0))
      ;; blocks as matvec_q8_0, each token's operands from its one pointer
      (block $pairs_done (loop $pairs
        (br_if $pairs_done (i32.lt_u (i32.sub (local.get $pend) (local.get $p)) (i32.const 68)))
        (local.set $y1 (i32.add (local.get $ya) (local.get $st)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $st)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $st)))
        (local.set $w0 (v128.load offset=2 (local.get $p)))
        (local.set $w1 (v128.load offset=18 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $ya)))))
        (local.set $a0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b0)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $y1)))))
        (local.set $a1 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $y1)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $y1)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a1)))
        (local.set $b1 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $y1)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $y1)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b1)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $y2)))))
        (local.set $a2 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $y2)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $y2)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a2)))
        (local.set $b2 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $y2)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $y2)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b2)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $y3)))))
        (local.set $a3 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $y3)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $y3)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a3)))
        (local.set $b3 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $y3)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $y3)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b3)))
        (local.set $w0 (v128.load offset=36 (local.get $p)))
        (local.set $w1 (v128.load offset=52 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u offset=34 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=144 (local.get $ya)))))
        (local.set $a0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=80 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=112 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=96 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=128 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b0)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=144 (local.get $y1)))))
        (local.set $a1 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=80 (local.get $y1)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=112 (local.get $y1)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a1)))
        (local.set $b1 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=96 (local.get $y1)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=128 (local.get $y1)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b1)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=144 (local.get $y2)))))
        (local.set $a2 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=80 (local.get $y2)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=112 (local.get $y2)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a2)))
        (local.set $b2 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=96 (local.get $y2)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=128 (local.get $y2)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b2)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=144 (local.get $y3)))))
        (local.set $a3 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=80 (local.get $y3)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=112 (local.get $y3)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a3)))
        (local.set $b3 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=96 (local.get $y3)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=128 (local.get $y3)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b3)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 160)))
        (local.set $p (i32.add (local.get $p) (i32.const 68)))
        (br $pairs)))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then
        (local.set $y1 (i32.add (local.get $ya) (local.get $st)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $st)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $st)))
        (local.set $w0 (v128.load offset=2 (local.get $p)))
        (local.set $w1 (v128.load offset=18 (local.get $p)))
        (local.set $dw (f32.load (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $ya)))))
        (local.set $a0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a0)))
        (local.set $b0 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $ya)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $ya)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b0)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $y1)))))
        (local.set $a1 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $y1)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $y1)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a1)))
        (local.set $b1 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $y1)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $y1)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b1)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $y2)))))
        (local.set $a2 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $y2)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $y2)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a2)))
        (local.set $b2 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $y2)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $y2)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b2)))
        (local.set $ds (f32x4.splat (f32.mul (local.get $dw) (f32.load offset=64 (local.get $y3)))))
        (local.set $a3 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load (local.get $y3)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w0) (v128.load offset=32 (local.get $y3)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $a3)))
        (local.set $b3 (f32x4.relaxed_madd (f32x4.convert_i32x4_s (i32x4.sub
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=16 (local.get $y3)) (v128.const i32x4 0 0 0 0))
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $w1) (v128.load offset=48 (local.get $y3)) (v128.const i32x4 0 0 0 0))))
          (local.get $ds) (local.get $b3)))
      ))
      (v128.store offset=0 (local.get $s) (local.get $a0))
      (v128.store offset=16 (local.get $s) (local.get $b0))
      (v128.store offset=32 (local.get $s) (local.get $a1))
      (v128.store offset=48 (local.get $s) (local.get $b1))
      (v128.store offset=64 (local.get $s) (local.get $a2))
      (v128.store offset=80 (local.get $s) (local.get $b2))
      (v128.store offset=96 (local.get $s) (local.get $a3))
      (v128.store offset=112 (local.get $s) (local.get $b3))
      (local.set $y (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))))
      (f32.store (local.get $y) (call $row_sum_pair (local.get $s)))
      (f32.store (local.tee $y (i32.add (local.get $y) (local.get $outStride))) (call $row_sum_pair (i32.add (local.get $s) (i32.const 32))))
      (f32.store (local.tee $y (i32.add (local.get $y) (local.get $outStride))) (call $row_sum_pair (i32.add (local.get $s) (i32.const 64))))
      (f32.store (local.tee $y (i32.add (local.get $y) (local.get $outStride))) (call $row_sum_pair (i32.add (local.get $s) (i32.const 96))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; f32, four tokens: two passes of two tokens over pairs of rows (the last row of an odd
  ;; range by matmul2_f32), operation for operation matvec_f32's row for each row and token
  (func $matmul4_f32 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (call $matmul2x2_f32 (local.get $w)
      (local.get $a) (i32.add (local.get $a) (local.get $aStride))
      (local.get $out) (i32.add (local.get $out) (local.get $outStride))
      (local.get $r0) (local.get $r1) (local.get $cols))
    (call $matmul2x2_f32 (local.get $w)
      (i32.add (local.get $a) (i32.shl (local.get $aStride) (i32.const 1))) (i32.add (local.get $a) (i32.mul (local.get $aStride) (i32.const 3)))
      (i32.add (local.get $out) (i32.shl (local.get $outStride) (i32.const 1))) (i32.add (local.get $out) (i32.mul (local.get $outStride) (i32.const 3)))
      (local.get $r0) (local.get $r1) (local.get $cols)))

  ;; f32, two tokens (x0 x1 -> o0 o1) by two rows: each weight vector and each input vector
  ;; loaded once for two products (eight loads for sixteen multiply-adds per 16 columns, where
  ;; matmul2_f32 has twelve for eight); the four (row, token) accumulator sets fill the
  ;; thread's 256 bytes of scratch, 64 each
  (func $matmul2x2_f32 (param $w i32) (param $x0 i32) (param $x1 i32) (param $o0 i32) (param $o1 i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $r i32) (local $rowA i32) (local $rowB i32) (local $rb i32) (local $c i32) (local $c4 i32) (local $end16 i32) (local $end4 i32) (local $s i32)
    (local $wa i32) (local $wb i32) (local $xa i32) (local $xb i32) (local $A v128) (local $B v128) (local $X v128) (local $Y v128)
    (local $sp f32) (local $sq f32) (local $su f32) (local $sv f32)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128) (local $u4 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v4 v128)
    (local.set $s (global.get $scratch))
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end16 (i32.and (local.get $cols) (i32.const -16)))
    (local.set $end4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (i32.add (local.get $r) (i32.const 1)) (local.get $r1)))
      (local.set $rowA (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $rowB (i32.add (local.get $rowA) (local.get $rb)))
      (local.set $p0 (v128.const i32x4 0 0 0 0))
      (local.set $p1 (v128.const i32x4 0 0 0 0))
      (local.set $p2 (v128.const i32x4 0 0 0 0))
      (local.set $p3 (v128.const i32x4 0 0 0 0))
      (local.set $p4 (v128.const i32x4 0 0 0 0))
      (local.set $q0 (v128.const i32x4 0 0 0 0))
      (local.set $q1 (v128.const i32x4 0 0 0 0))
      (local.set $q2 (v128.const i32x4 0 0 0 0))
      (local.set $q3 (v128.const i32x4 0 0 0 0))
      (local.set $q4 (v128.const i32x4 0 0 0 0))
      (local.set $u0 (v128.const i32x4 0 0 0 0))
      (local.set $u1 (v128.const i32x4 0 0 0 0))
      (local.set $u2 (v128.const i32x4 0 0 0 0))
      (local.set $u3 (v128.const i32x4 0 0 0 0))
      (local.set $u4 (v128.const i32x4 0 0 0 0))
      (local.set $v0 (v128.const i32x4 0 0 0 0))
      (local.set $v1 (v128.const i32x4 0 0 0 0))
      (local.set $v2 (v128.const i32x4 0 0 0 0))
      (local.set $v3 (v128.const i32x4 0 0 0 0))
      (local.set $v4 (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $d16 (loop $c16
        (br_if $d16 (i32.ge_u (local.get $c) (local.get $end16)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $wa (i32.add (local.get $rowA) (local.get $c4)))
        (local.set $wb (i32.add (local.get $rowB) (local.get $c4)))
        (local.set $xa (i32.add (local.get $x0) (local.get $c4)))
        (local.set $xb (i32.add (local.get $x1) (local.get $c4)))
        (local.set $A (v128.load (local.get $wa)))
        (local.set $B (v128.load (local.get $wb)))
        (local.set $X (v128.load (local.get $xa)))
        (local.set $Y (v128.load (local.get $xb)))
        (local.set $p0 (f32x4.relaxed_madd (local.get $A) (local.get $X) (local.get $p0)))
        (local.set $q0 (f32x4.relaxed_madd (local.get $A) (local.get $Y) (local.get $q0)))
        (local.set $u0 (f32x4.relaxed_madd (local.get $B) (local.get $X) (local.get $u0)))
        (local.set $v0 (f32x4.relaxed_madd (local.get $B) (local.get $Y) (local.get $v0)))
        (local.set $A (v128.load offset=16 (local.get $wa)))
        (local.set $B (v128.load offset=16 (local.get $wb)))
        (local.set $X (v128.load offset=16 (local.get $xa)))
        (local.set $Y (v128.load offset=16 (local.get $xb)))
        (local.set $p1 (f32x4.relaxed_madd (local.get $A) (local.get $X) (local.get $p1)))
        (local.set $q1 (f32x4.relaxed_madd (local.get $A) (local.get $Y) (local.get $q1)))
        (local.set $u1 (f32x4.relaxed_madd (local.get $B) (local.get $X) (local.get $u1)))
        (local.set $v1 (f32x4.relaxed_madd (local.get $B) (local.get $Y) (local.get $v1)))
        (local.set $A (v128.load offset=32 (local.get $wa)))
        (local.set $B (v128.load offset=32 (local.get $wb)))
        (local.set $X (v128.load offset=32 (local.get $xa)))
        (local.set $Y (v128.load offset=32 (local.get $xb)))
        (local.set $p2 (f32x4.relaxed_madd (local.get $A) (local.get $X) (local.get $p2)))
        (local.set $q2 (f32x4.relaxed_madd (local.get $A) (local.get $Y) (local.get $q2)))
        (local.set $u2 (f32x4.relaxed_madd (local.get $B) (local.get $X) (local.get $u2)))
        (local.set $v2 (f32x4.relaxed_madd (local.get $B) (local.get $Y) (local.get $v2)))
        (local.set $A (v128.load offset=48 (local.get $wa)))
        (local.set $B (v128.load offset=48 (local.get $wb)))
        (local.set $X (v128.load offset=48 (local.get $xa)))
        (local.set $Y (v128.load offset=48 (local.get $xb)))
        (local.set $p3 (f32x4.relaxed_madd (local.get $A) (local.get $X) (local.get $p3)))
        (local.set $q3 (f32x4.relaxed_madd (local.get $A) (local.get $Y) (local.get $q3)))
        (local.set $u3 (f32x4.relaxed_madd (local.get $B) (local.get $X) (local.get $u3)))
        (local.set $v3 (f32x4.relaxed_madd (local.get $B) (local.get $Y) (local.get $v3)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $c16)))
      (block $d4 (loop $c4
        (br_if $d4 (i32.ge_u (local.get $c) (local.get $end4)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $A (v128.load (i32.add (local.get $rowA) (local.get $c4))))
        (local.set $B (v128.load (i32.add (local.get $rowB) (local.get $c4))))
        (local.set $X (v128.load (i32.add (local.get $x0) (local.get $c4))))
        (local.set $Y (v128.load (i32.add (local.get $x1) (local.get $c4))))
        (local.set $p4 (f32x4.relaxed_madd (local.get $A) (local.get $X) (local.get $p4)))
        (local.set $q4 (f32x4.relaxed_madd (local.get $A) (local.get $Y) (local.get $q4)))
        (local.set $u4 (f32x4.relaxed_madd (local.get $B) (local.get $X) (local.get $u4)))
        (local.set $v4 (f32x4.relaxed_madd (local.get $B) (local.get $Y) (local.get $v4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4)))
      (v128.store (local.get $s) (local.get $p0))
      (v128.store offset=16 (local.get $s) (local.get $p1))
      (v128.store offset=32 (local.get $s) (local.get $p2))
      (v128.store offset=48 (local.get $s) (local.get $p3))
      (v128.store offset=64 (local.get $s) (local.get $q0))
      (v128.store offset=80 (local.get $s) (local.get $q1))
      (v128.store offset=96 (local.get $s) (local.get $q2))
      (v128.store offset=112 (local.get $s) (local.get $q3))
      (v128.store offset=128 (local.get $s) (local.get $u0))
      (v128.store offset=144 (local.get $s) (local.get $u1))
      (v128.store offset=160 (local.get $s) (local.get $u2))
      (v128.store offset=176 (local.get $s) (local.get $u3))
      (v128.store offset=192 (local.get $s) (local.get $v0))
      (v128.store offset=208 (local.get $s) (local.get $v1))
      (v128.store offset=224 (local.get $s) (local.get $v2))
      (v128.store offset=240 (local.get $s) (local.get $v3))
      (local.set $sp (call $row_sum_f32 (local.get $s) (local.get $p4)))
      (local.set $sq (call $row_sum_f32 (i32.add (local.get $s) (i32.const 64)) (local.get $q4)))
      (local.set $su (call $row_sum_f32 (i32.add (local.get $s) (i32.const 128)) (local.get $u4)))
      (local.set $sv (call $row_sum_f32 (i32.add (local.get $s) (i32.const 192)) (local.get $v4)))
      (block $d1 (loop $c1
        (br_if $d1 (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
        (local.set $sp (f32.add (local.get $sp) (f32.mul
          (f32.load (i32.add (local.get $rowA) (local.get $c4)))
          (f32.load (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $sq (f32.add (local.get $sq) (f32.mul
          (f32.load (i32.add (local.get $rowA) (local.get $c4)))
          (f32.load (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $su (f32.add (local.get $su) (f32.mul
          (f32.load (i32.add (local.get $rowB) (local.get $c4)))
          (f32.load (i32.add (local.get $x0) (local.get $c4))))))
        (local.set $sv (f32.add (local.get $sv) (f32.mul
          (f32.load (i32.add (local.get $rowB) (local.get $c4)))
          (f32.load (i32.add (local.get $x1) (local.get $c4))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1)))
      (local.set $c4 (i32.shl (local.get $r) (i32.const 2)))
      (f32.store (i32.add (local.get $o0) (local.get $c4)) (local.get $sp))
      (f32.store (i32.add (local.get $o1) (local.get $c4)) (local.get $sq))
      (f32.store offset=4 (i32.add (local.get $o0) (local.get $c4)) (local.get $su))
      (f32.store offset=4 (i32.add (local.get $o1) (local.get $c4)) (local.get $sv))
      (local.set $r (i32.add (local.get $r) (i32.const 2)))
      (br $rows)))
    (if (i32.lt_u (local.get $r) (local.get $r1)) (then
      (call $matmul2_f32 (local.get $w) (local.get $x0) (local.get $x1) (local.get $o0) (local.get $o1) (local.get $r) (local.get $r1) (local.get $cols)))))

  ;; x: f32 [nb*32] at $x -> the pair layout (header), each block quantized as kernels-relaxed.wat
  ;; does (quantize_block_q8_0). Returns 1 when some x is not finite.
  (func $quantize_q8_0 (export "quantize_q8_0") (param $x i32) (param $a i32) (param $nb i32) (result i32)
    (local $b i32) (local $q i32) (local $pn i32) (local $bad v128) (local $s0 v128) (local $s1 v128) (local $d f32) (local $dv v128) (local $zero v128)
    (local.set $pn (i32.add (local.get $a) (i32.shl (i32.shr_u (i32.add (local.get $nb) (i32.const 1)) (i32.const 1)) (i32.const 7))))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b) (local.get $nb)))
      (call $quantize_block_q8_0 (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 7))))
      (local.set $bad (f32x4.add (local.get $bad)))
      (local.set $d)
      (local.set $s1)
      (local.set $s0)
      (local.set $dv (f32x4.splat (local.get $d)))
      ;; the Q4_0 operands: pair b >> 1 at a + 128 (b >> 1), this block's half at + 16 (b & 1)
      (local.set $q (i32.add (i32.add (local.get $a) (i32.shl (i32.shr_u (local.get $b) (i32.const 1)) (i32.const 7))) (i32.shl (i32.and (local.get $b) (i32.const 1)) (i32.const 4))))
      (v128.store (local.get $q) (local.get $s0))
      (v128.store offset=32 (local.get $q) (local.get $s1))
      (v128.store offset=64 (local.get $q)
        (i32x4.mul (v128.const i32x4 -8 -8 -8 -8) (i32x4.add
          (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s0)))
          (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $s1))))))
      (v128.store offset=96 (local.get $q) (local.get $dv))
      ;; the Q8_0 operands: block b at pn + 80 b
      (local.set $q (i32.add (local.get $pn) (i32.mul (local.get $b) (i32.const 80))))
      (v128.store (local.get $q) (i8x16.max_s (local.get $s0) (local.get $zero)))
      (v128.store offset=16 (local.get $q) (i8x16.max_s (local.get $s1) (local.get $zero)))
      (v128.store offset=32 (local.get $q) (i8x16.max_s (i8x16.neg (local.get $s0)) (local.get $zero)))
      (v128.store offset=48 (local.get $q) (i8x16.max_s (i8x16.neg (local.get $s1)) (local.get $zero)))
      (v128.store offset=64 (local.get $q) (local.get $dv))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $blocks)))
    (v128.any_true (f32x4.ne (local.get $bad) (local.get $bad))))

  ;; Q4_0 rows x the pair layout above (the sums as in the header)
  (func $matvec_q4_0 (export "matvec_q4_0") (param $w i32) (param $a i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $ya i32) (local $sc i32)
    (local $wq v128) (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $dw0 v128) (local $dw1 v128) (local $m15 v128) (local $e0 v128) (local $o0 v128) (local $t0 v128)
    (local.set $sc (global.get $scratch))
    (local.set $m15 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 18)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $ya (local.get $a))
      (local.set $e0 (v128.const i32x4 0 0 0 0))
      (local.set $o0 (v128.const i32x4 0 0 0 0))
      ;; pairs of blocks four at a time (fewer increments and loop checks, V8 unrolls no loop
      ;; this size: 28.2 -> 29.4 GB/s on 1536 x 576 in cache, eight at a time no better), then
      ;; single pairs, into e and o in order (the order of matmul4_q4_0's two at a time); an odd
      ;; count's last block into its own term (so that e and o leave the loops together: V8
      ;; joins them). The tests count the bytes left (pend - p), not p against pend - 144: over a
      ;; 64-bit memory a row starts at offset 0 of its weight (wat-memory64.ts), and pend - 144
      ;; would wrap.
      (block $quads_done (loop $quads
        (br_if $quads_done (i32.lt_u (i32.sub (local.get $pend) (local.get $p)) (i32.const 144)))
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=20 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=18 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $lo1)
                (v128.load offset=80 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $ya)))
          (local.get $o0)))
        (local.set $wq (v128.load offset=38 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=36 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=56 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=54 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $ya)) (local.get $lo0)
                (v128.load offset=192 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $ya)) (local.get $lo1)
                (v128.load offset=208 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $ya)))
          (local.get $o0)))
        (local.set $wq (v128.load offset=74 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=72 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=92 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=90 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=288 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=256 (local.get $ya)) (local.get $lo0)
                (v128.load offset=320 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=352 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=304 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=272 (local.get $ya)) (local.get $lo1)
                (v128.load offset=336 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=368 (local.get $ya)))
          (local.get $o0)))
        (local.set $wq (v128.load offset=110 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=108 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=128 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=126 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=416 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=384 (local.get $ya)) (local.get $lo0)
                (v128.load offset=448 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=480 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=432 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=400 (local.get $ya)) (local.get $lo1)
                (v128.load offset=464 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=496 (local.get $ya)))
          (local.get $o0)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 512)))
        (local.set $p (i32.add (local.get $p) (i32.const 144)))
        (br $quads)))
      (block $pairs_done (loop $pairs
        (br_if $pairs_done (i32.lt_u (i32.sub (local.get $pend) (local.get $p)) (i32.const 36)))
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=20 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=18 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $lo1)
                (v128.load offset=80 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $ya)))
          (local.get $o0)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 128)))
        (local.set $p (i32.add (local.get $p) (i32.const 36)))
        (br $pairs)))
      (local.set $t0 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $t0 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))))
      ))
      (v128.store offset=0 (local.get $sc) (local.get $e0))
      (v128.store offset=16 (local.get $sc) (local.get $o0))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (call $row_sum_q4_0 (local.get $sc) (local.get $t0)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0, four tokens: per pair of blocks the nibbles and weight scales once, then each token's
  ;; (A, B) and t as matvec_q4_0's row (token k's pair at scratch + 32k)
  (func $matmul4_q4_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $pend2 i32) (local $ya i32) (local $sc i32) (local $at i32) (local $y1 i32) (local $y2 i32) (local $y3 i32) (local $s i32)
    (local $wq v128) (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $dw0 v128) (local $dw1 v128) (local $m15 v128) (local $e0 v128) (local $o0 v128) (local $t0 v128) (local $e1 v128) (local $o1 v128) (local $t1 v128) (local $e2 v128) (local $o2 v128) (local $t2 v128) (local $e3 v128) (local $o3 v128) (local $t3 v128)
    (local.set $sc (global.get $scratch))
    (local.set $m15 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 18)))
    (local.set $s (local.get $aStride))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $pend2 (i32.sub (local.get $pend) (i32.const 18)))
      (local.set $ya (local.get $a))
      (local.set $e0 (v128.const i32x4 0 0 0 0))
      (local.set $o0 (v128.const i32x4 0 0 0 0))
      (local.set $e1 (v128.const i32x4 0 0 0 0))
      (local.set $o1 (v128.const i32x4 0 0 0 0))
      (local.set $e2 (v128.const i32x4 0 0 0 0))
      (local.set $o2 (v128.const i32x4 0 0 0 0))
      (local.set $e3 (v128.const i32x4 0 0 0 0))
      (local.set $o3 (v128.const i32x4 0 0 0 0))
      ;; pairs of blocks as matvec_q4_0, each token's operands at a fixed offset from its one pointer
      (block $quads_done (loop $quads
        (br_if $quads_done (i32.lt_u (i32.sub (local.get $pend) (local.get $p)) (i32.const 72)))
        (local.set $y1 (i32.add (local.get $ya) (local.get $s)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $s)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $s)))
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=20 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=18 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $lo1)
                (v128.load offset=80 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $ya)))
          (local.get $o0)))
        (local.set $e1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y1)) (local.get $lo0)
                (v128.load offset=64 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y1)))
          (local.get $e1)))
        (local.set $o1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y1)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y1)) (local.get $lo1)
                (v128.load offset=80 (local.get $y1)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y1)))
          (local.get $o1)))
        (local.set $e2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y2)) (local.get $lo0)
                (v128.load offset=64 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y2)))
          (local.get $e2)))
        (local.set $o2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y2)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y2)) (local.get $lo1)
                (v128.load offset=80 (local.get $y2)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y2)))
          (local.get $o2)))
        (local.set $e3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y3)) (local.get $lo0)
                (v128.load offset=64 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y3)))
          (local.get $e3)))
        (local.set $o3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y3)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y3)) (local.get $lo1)
                (v128.load offset=80 (local.get $y3)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y3)))
          (local.get $o3)))
        (local.set $wq (v128.load offset=38 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=36 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=56 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=54 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $ya)) (local.get $lo0)
                (v128.load offset=192 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $ya)) (local.get $lo1)
                (v128.load offset=208 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $ya)))
          (local.get $o0)))
        (local.set $e1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y1)) (local.get $lo0)
                (v128.load offset=192 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y1)))
          (local.get $e1)))
        (local.set $o1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y1)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y1)) (local.get $lo1)
                (v128.load offset=208 (local.get $y1)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y1)))
          (local.get $o1)))
        (local.set $e2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y2)) (local.get $lo0)
                (v128.load offset=192 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y2)))
          (local.get $e2)))
        (local.set $o2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y2)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y2)) (local.get $lo1)
                (v128.load offset=208 (local.get $y2)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y2)))
          (local.get $o2)))
        (local.set $e3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y3)) (local.get $lo0)
                (v128.load offset=192 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y3)))
          (local.get $e3)))
        (local.set $o3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y3)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y3)) (local.get $lo1)
                (v128.load offset=208 (local.get $y3)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y3)))
          (local.get $o3)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 256)))
        (local.set $p (i32.add (local.get $p) (i32.const 72)))
        (br $quads)))
      (if (i32.lt_u (local.get $p) (local.get $pend2)) (then
        (local.set $y1 (i32.add (local.get $ya) (local.get $s)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $s)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $s)))
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=20 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=18 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $lo1)
                (v128.load offset=80 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $ya)))
          (local.get $o0)))
        (local.set $e1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y1)) (local.get $lo0)
                (v128.load offset=64 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y1)))
          (local.get $e1)))
        (local.set $o1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y1)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y1)) (local.get $lo1)
                (v128.load offset=80 (local.get $y1)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y1)))
          (local.get $o1)))
        (local.set $e2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y2)) (local.get $lo0)
                (v128.load offset=64 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y2)))
          (local.get $e2)))
        (local.set $o2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y2)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y2)) (local.get $lo1)
                (v128.load offset=80 (local.get $y2)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y2)))
          (local.get $o2)))
        (local.set $e3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y3)) (local.get $lo0)
                (v128.load offset=64 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y3)))
          (local.get $e3)))
        (local.set $o3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y3)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y3)) (local.get $lo1)
                (v128.load offset=80 (local.get $y3)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y3)))
          (local.get $o3)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 128)))
        (local.set $p (i32.add (local.get $p) (i32.const 36)))
      ))
      (local.set $t0 (v128.const i32x4 0 0 0 0))
      (local.set $t1 (v128.const i32x4 0 0 0 0))
      (local.set $t2 (v128.const i32x4 0 0 0 0))
      (local.set $t3 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $y1 (i32.add (local.get $ya) (local.get $s)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $s)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $s)))
        (local.set $t0 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))))
        (local.set $t1 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y1)) (local.get $lo0)
                (v128.load offset=64 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y1)))))
        (local.set $t2 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y2)) (local.get $lo0)
                (v128.load offset=64 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y2)))))
        (local.set $t3 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y3)) (local.get $lo0)
                (v128.load offset=64 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y3)))))
      ))
      (v128.store offset=0 (local.get $sc) (local.get $e0))
      (v128.store offset=16 (local.get $sc) (local.get $o0))
      (v128.store offset=32 (local.get $sc) (local.get $e1))
      (v128.store offset=48 (local.get $sc) (local.get $o1))
      (v128.store offset=64 (local.get $sc) (local.get $e2))
      (v128.store offset=80 (local.get $sc) (local.get $o2))
      (v128.store offset=96 (local.get $sc) (local.get $e3))
      (v128.store offset=112 (local.get $sc) (local.get $o3))
      (local.set $at (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))))
      (f32.store (local.get $at) (call $row_sum_q4_0 (local.get $sc) (local.get $t0)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 32)) (local.get $t1)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 64)) (local.get $t2)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 96)) (local.get $t3)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Q4_0, eight tokens: as matmul4_q4_0 (token k's pair at scratch + 32k: the whole scratch)
  (func $matmul8_q4_0 (param $w i32) (param $a i32) (param $aStride i32) (param $out i32) (param $outStride i32) (param $r0 i32) (param $r1 i32) (param $cols i32)
    (local $nb i32) (local $rb i32) (local $r i32) (local $p i32) (local $pend i32) (local $pend2 i32) (local $ya i32) (local $sc i32) (local $at i32) (local $y1 i32) (local $y2 i32) (local $y3 i32) (local $y4 i32) (local $y5 i32) (local $y6 i32) (local $y7 i32) (local $s i32)
    (local $wq v128) (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $dw0 v128) (local $dw1 v128) (local $m15 v128) (local $e0 v128) (local $o0 v128) (local $t0 v128) (local $e1 v128) (local $o1 v128) (local $t1 v128) (local $e2 v128) (local $o2 v128) (local $t2 v128) (local $e3 v128) (local $o3 v128) (local $t3 v128) (local $e4 v128) (local $o4 v128) (local $t4 v128) (local $e5 v128) (local $o5 v128) (local $t5 v128) (local $e6 v128) (local $o6 v128) (local $t6 v128) (local $e7 v128) (local $o7 v128) (local $t7 v128)
    (local.set $sc (global.get $scratch))
    (local.set $m15 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $nb (i32.shr_u (local.get $cols) (i32.const 5)))
    (local.set $rb (i32.mul (local.get $nb) (i32.const 18)))
    (local.set $s (local.get $aStride))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rb))))
      (local.set $pend (i32.add (local.get $p) (local.get $rb)))
      (local.set $pend2 (i32.sub (local.get $pend) (i32.const 18)))
      (local.set $ya (local.get $a))
      (local.set $e0 (v128.const i32x4 0 0 0 0))
      (local.set $o0 (v128.const i32x4 0 0 0 0))
      (local.set $e1 (v128.const i32x4 0 0 0 0))
      (local.set $o1 (v128.const i32x4 0 0 0 0))
      (local.set $e2 (v128.const i32x4 0 0 0 0))
      (local.set $o2 (v128.const i32x4 0 0 0 0))
      (local.set $e3 (v128.const i32x4 0 0 0 0))
      (local.set $o3 (v128.const i32x4 0 0 0 0))
      (local.set $e4 (v128.const i32x4 0 0 0 0))
      (local.set $o4 (v128.const i32x4 0 0 0 0))
      (local.set $e5 (v128.const i32x4 0 0 0 0))
      (local.set $o5 (v128.const i32x4 0 0 0 0))
      (local.set $e6 (v128.const i32x4 0 0 0 0))
      (local.set $o6 (v128.const i32x4 0 0 0 0))
      (local.set $e7 (v128.const i32x4 0 0 0 0))
      (local.set $o7 (v128.const i32x4 0 0 0 0))
      ;; pairs of blocks as matvec_q4_0, each token's operands at a fixed offset from its one pointer
      (block $quads_done (loop $quads
        (br_if $quads_done (i32.lt_u (i32.sub (local.get $pend) (local.get $p)) (i32.const 72)))
        (local.set $y1 (i32.add (local.get $ya) (local.get $s)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $s)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $s)))
        (local.set $y4 (i32.add (local.get $y3) (local.get $s)))
        (local.set $y5 (i32.add (local.get $y4) (local.get $s)))
        (local.set $y6 (i32.add (local.get $y5) (local.get $s)))
        (local.set $y7 (i32.add (local.get $y6) (local.get $s)))
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=20 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=18 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $lo1)
                (v128.load offset=80 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $ya)))
          (local.get $o0)))
        (local.set $e1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y1)) (local.get $lo0)
                (v128.load offset=64 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y1)))
          (local.get $e1)))
        (local.set $o1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y1)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y1)) (local.get $lo1)
                (v128.load offset=80 (local.get $y1)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y1)))
          (local.get $o1)))
        (local.set $e2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y2)) (local.get $lo0)
                (v128.load offset=64 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y2)))
          (local.get $e2)))
        (local.set $o2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y2)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y2)) (local.get $lo1)
                (v128.load offset=80 (local.get $y2)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y2)))
          (local.get $o2)))
        (local.set $e3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y3)) (local.get $lo0)
                (v128.load offset=64 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y3)))
          (local.get $e3)))
        (local.set $o3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y3)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y3)) (local.get $lo1)
                (v128.load offset=80 (local.get $y3)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y3)))
          (local.get $o3)))
        (local.set $e4 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y4)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y4)) (local.get $lo0)
                (v128.load offset=64 (local.get $y4)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y4)))
          (local.get $e4)))
        (local.set $o4 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y4)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y4)) (local.get $lo1)
                (v128.load offset=80 (local.get $y4)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y4)))
          (local.get $o4)))
        (local.set $e5 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y5)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y5)) (local.get $lo0)
                (v128.load offset=64 (local.get $y5)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y5)))
          (local.get $e5)))
        (local.set $o5 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y5)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y5)) (local.get $lo1)
                (v128.load offset=80 (local.get $y5)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y5)))
          (local.get $o5)))
        (local.set $e6 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y6)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y6)) (local.get $lo0)
                (v128.load offset=64 (local.get $y6)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y6)))
          (local.get $e6)))
        (local.set $o6 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y6)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y6)) (local.get $lo1)
                (v128.load offset=80 (local.get $y6)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y6)))
          (local.get $o6)))
        (local.set $e7 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y7)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y7)) (local.get $lo0)
                (v128.load offset=64 (local.get $y7)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y7)))
          (local.get $e7)))
        (local.set $o7 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y7)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y7)) (local.get $lo1)
                (v128.load offset=80 (local.get $y7)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y7)))
          (local.get $o7)))
        (local.set $wq (v128.load offset=38 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=36 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=56 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=54 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $ya)) (local.get $lo0)
                (v128.load offset=192 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $ya)) (local.get $lo1)
                (v128.load offset=208 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $ya)))
          (local.get $o0)))
        (local.set $e1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y1)) (local.get $lo0)
                (v128.load offset=192 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y1)))
          (local.get $e1)))
        (local.set $o1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y1)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y1)) (local.get $lo1)
                (v128.load offset=208 (local.get $y1)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y1)))
          (local.get $o1)))
        (local.set $e2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y2)) (local.get $lo0)
                (v128.load offset=192 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y2)))
          (local.get $e2)))
        (local.set $o2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y2)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y2)) (local.get $lo1)
                (v128.load offset=208 (local.get $y2)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y2)))
          (local.get $o2)))
        (local.set $e3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y3)) (local.get $lo0)
                (v128.load offset=192 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y3)))
          (local.get $e3)))
        (local.set $o3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y3)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y3)) (local.get $lo1)
                (v128.load offset=208 (local.get $y3)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y3)))
          (local.get $o3)))
        (local.set $e4 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y4)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y4)) (local.get $lo0)
                (v128.load offset=192 (local.get $y4)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y4)))
          (local.get $e4)))
        (local.set $o4 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y4)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y4)) (local.get $lo1)
                (v128.load offset=208 (local.get $y4)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y4)))
          (local.get $o4)))
        (local.set $e5 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y5)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y5)) (local.get $lo0)
                (v128.load offset=192 (local.get $y5)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y5)))
          (local.get $e5)))
        (local.set $o5 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y5)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y5)) (local.get $lo1)
                (v128.load offset=208 (local.get $y5)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y5)))
          (local.get $o5)))
        (local.set $e6 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y6)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y6)) (local.get $lo0)
                (v128.load offset=192 (local.get $y6)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y6)))
          (local.get $e6)))
        (local.set $o6 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y6)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y6)) (local.get $lo1)
                (v128.load offset=208 (local.get $y6)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y6)))
          (local.get $o6)))
        (local.set $e7 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=160 (local.get $y7)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=128 (local.get $y7)) (local.get $lo0)
                (v128.load offset=192 (local.get $y7)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=224 (local.get $y7)))
          (local.get $e7)))
        (local.set $o7 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=176 (local.get $y7)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=144 (local.get $y7)) (local.get $lo1)
                (v128.load offset=208 (local.get $y7)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=240 (local.get $y7)))
          (local.get $o7)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 256)))
        (local.set $p (i32.add (local.get $p) (i32.const 72)))
        (br $quads)))
      (if (i32.lt_u (local.get $p) (local.get $pend2)) (then
        (local.set $y1 (i32.add (local.get $ya) (local.get $s)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $s)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $s)))
        (local.set $y4 (i32.add (local.get $y3) (local.get $s)))
        (local.set $y5 (i32.add (local.get $y4) (local.get $s)))
        (local.set $y6 (i32.add (local.get $y5) (local.get $s)))
        (local.set $y7 (i32.add (local.get $y6) (local.get $s)))
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $wq (v128.load offset=20 (local.get $p)))
        (local.set $lo1 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw1 (v128.load32_splat (i32.add (i32.shl (i32.load16_u offset=18 (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $e0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))
          (local.get $e0)))
        (local.set $o0 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $ya)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $ya)) (local.get $lo1)
                (v128.load offset=80 (local.get $ya)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $ya)))
          (local.get $o0)))
        (local.set $e1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y1)) (local.get $lo0)
                (v128.load offset=64 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y1)))
          (local.get $e1)))
        (local.set $o1 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y1)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y1)) (local.get $lo1)
                (v128.load offset=80 (local.get $y1)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y1)))
          (local.get $o1)))
        (local.set $e2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y2)) (local.get $lo0)
                (v128.load offset=64 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y2)))
          (local.get $e2)))
        (local.set $o2 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y2)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y2)) (local.get $lo1)
                (v128.load offset=80 (local.get $y2)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y2)))
          (local.get $o2)))
        (local.set $e3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y3)) (local.get $lo0)
                (v128.load offset=64 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y3)))
          (local.get $e3)))
        (local.set $o3 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y3)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y3)) (local.get $lo1)
                (v128.load offset=80 (local.get $y3)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y3)))
          (local.get $o3)))
        (local.set $e4 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y4)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y4)) (local.get $lo0)
                (v128.load offset=64 (local.get $y4)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y4)))
          (local.get $e4)))
        (local.set $o4 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y4)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y4)) (local.get $lo1)
                (v128.load offset=80 (local.get $y4)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y4)))
          (local.get $o4)))
        (local.set $e5 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y5)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y5)) (local.get $lo0)
                (v128.load offset=64 (local.get $y5)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y5)))
          (local.get $e5)))
        (local.set $o5 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y5)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y5)) (local.get $lo1)
                (v128.load offset=80 (local.get $y5)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y5)))
          (local.get $o5)))
        (local.set $e6 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y6)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y6)) (local.get $lo0)
                (v128.load offset=64 (local.get $y6)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y6)))
          (local.get $e6)))
        (local.set $o6 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y6)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y6)) (local.get $lo1)
                (v128.load offset=80 (local.get $y6)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y6)))
          (local.get $o6)))
        (local.set $e7 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y7)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y7)) (local.get $lo0)
                (v128.load offset=64 (local.get $y7)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y7)))
          (local.get $e7)))
        (local.set $o7 (f32x4.relaxed_madd
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=48 (local.get $y7)) (local.get $hi1)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=16 (local.get $y7)) (local.get $lo1)
                (v128.load offset=80 (local.get $y7)))))
          (f32x4.mul (local.get $dw1) (v128.load offset=112 (local.get $y7)))
          (local.get $o7)))
        (local.set $ya (i32.add (local.get $ya) (i32.const 128)))
        (local.set $p (i32.add (local.get $p) (i32.const 36)))
      ))
      (local.set $t0 (v128.const i32x4 0 0 0 0))
      (local.set $t1 (v128.const i32x4 0 0 0 0))
      (local.set $t2 (v128.const i32x4 0 0 0 0))
      (local.set $t3 (v128.const i32x4 0 0 0 0))
      (local.set $t4 (v128.const i32x4 0 0 0 0))
      (local.set $t5 (v128.const i32x4 0 0 0 0))
      (local.set $t6 (v128.const i32x4 0 0 0 0))
      (local.set $t7 (v128.const i32x4 0 0 0 0))
      (if (i32.lt_u (local.get $p) (local.get $pend)) (then
        (local.set $wq (v128.load offset=2 (local.get $p)))
        (local.set $lo0 (v128.and (local.get $wq) (local.get $m15)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $wq) (i32.const 4)) (local.get $m15)))
        (local.set $dw0 (v128.load32_splat (i32.add (i32.shl (i32.load16_u (local.get $p)) (i32.const 2)) (i32.const 65536))))
        (local.set $y1 (i32.add (local.get $ya) (local.get $s)))
        (local.set $y2 (i32.add (local.get $y1) (local.get $s)))
        (local.set $y3 (i32.add (local.get $y2) (local.get $s)))
        (local.set $y4 (i32.add (local.get $y3) (local.get $s)))
        (local.set $y5 (i32.add (local.get $y4) (local.get $s)))
        (local.set $y6 (i32.add (local.get $y5) (local.get $s)))
        (local.set $y7 (i32.add (local.get $y6) (local.get $s)))
        (local.set $t0 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $ya)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $ya)) (local.get $lo0)
                (v128.load offset=64 (local.get $ya)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $ya)))))
        (local.set $t1 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y1)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y1)) (local.get $lo0)
                (v128.load offset=64 (local.get $y1)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y1)))))
        (local.set $t2 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y2)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y2)) (local.get $lo0)
                (v128.load offset=64 (local.get $y2)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y2)))))
        (local.set $t3 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y3)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y3)) (local.get $lo0)
                (v128.load offset=64 (local.get $y3)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y3)))))
        (local.set $t4 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y4)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y4)) (local.get $lo0)
                (v128.load offset=64 (local.get $y4)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y4)))))
        (local.set $t5 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y5)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y5)) (local.get $lo0)
                (v128.load offset=64 (local.get $y5)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y5)))))
        (local.set $t6 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y6)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y6)) (local.get $lo0)
                (v128.load offset=64 (local.get $y6)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y6)))))
        (local.set $t7 (f32x4.mul
          (f32x4.convert_i32x4_s
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load offset=32 (local.get $y7)) (local.get $hi0)
              (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.load (local.get $y7)) (local.get $lo0)
                (v128.load offset=64 (local.get $y7)))))
          (f32x4.mul (local.get $dw0) (v128.load offset=96 (local.get $y7)))))
      ))
      (v128.store offset=0 (local.get $sc) (local.get $e0))
      (v128.store offset=16 (local.get $sc) (local.get $o0))
      (v128.store offset=32 (local.get $sc) (local.get $e1))
      (v128.store offset=48 (local.get $sc) (local.get $o1))
      (v128.store offset=64 (local.get $sc) (local.get $e2))
      (v128.store offset=80 (local.get $sc) (local.get $o2))
      (v128.store offset=96 (local.get $sc) (local.get $e3))
      (v128.store offset=112 (local.get $sc) (local.get $o3))
      (v128.store offset=128 (local.get $sc) (local.get $e4))
      (v128.store offset=144 (local.get $sc) (local.get $o4))
      (v128.store offset=160 (local.get $sc) (local.get $e5))
      (v128.store offset=176 (local.get $sc) (local.get $o5))
      (v128.store offset=192 (local.get $sc) (local.get $e6))
      (v128.store offset=208 (local.get $sc) (local.get $o6))
      (v128.store offset=224 (local.get $sc) (local.get $e7))
      (v128.store offset=240 (local.get $sc) (local.get $o7))
      (local.set $at (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))))
      (f32.store (local.get $at) (call $row_sum_q4_0 (local.get $sc) (local.get $t0)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 32)) (local.get $t1)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 64)) (local.get $t2)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 96)) (local.get $t3)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 128)) (local.get $t4)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 160)) (local.get $t5)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 192)) (local.get $t6)))
      (f32.store (local.tee $at (i32.add (local.get $at) (local.get $outStride))) (call $row_sum_q4_0 (i32.add (local.get $sc) (i32.const 224)) (local.get $t7)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; one Q4_0 row's pair of accumulators stored at $at and its odd last block's term t: (A + B) + t, lanes (0+1)+(2+3)
  (func $row_sum_q4_0 (param $at i32) (param $t v128) (result f32)
    (local $a v128)
    (local.set $a (f32x4.add (f32x4.add (v128.load (local.get $at)) (v128.load offset=16 (local.get $at))) (local.get $t)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
)
