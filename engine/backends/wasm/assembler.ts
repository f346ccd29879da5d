// A tiny WebAssembly text assembler: the subset of WAT the kernels in kernels.wat use, turned
// into a binary module at load time, so the project needs no wabt/binaryen dependency and no
// build step. It is not a general WAT implementation: one imported memory, functions only
// (params, results, locals, exports), instructions flat or folded, block/loop/if with labels,
// the MVP numeric and memory instructions, the fixed-width SIMD instructions, the saturating
// truncations. Anything else is an error naming the token and its line.

import { RefuteError } from "../../errors.ts";

type Sexp = { list: Sexp[]; line: number } | { atom: string; line: number };

const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function fail(message: string, line: number): never {
  throw new RefuteError("WASM_ASSEMBLE", `kernels.wat line ${line}: ${message}`, { line });
}

function parse(text: string): Sexp[] {
  const top: Sexp[] = [];
  const stack: Sexp[][] = [top];
  const lines: number[] = [];
  let line = 1;
  const re = /\s+|;;[^\n]*|\(;[\s\S]*?;\)|\(|\)|"[^"]*"|[^\s()";]+/gy;
  for (let m = re.exec(text); m && m[0].length > 0; m = re.exec(text)) {
    const tok = m[0];
    if (tok === "(") {
      const list: Sexp[] = [];
      stack[stack.length - 1].push({ list, line });
      stack.push(list);
      lines.push(line);
    } else if (tok === ")") {
      if (stack.length === 1) fail("unbalanced )", line);
      stack.pop();
      lines.pop();
    } else if (!/^\s|^;;|^\(;/.test(tok)) {
      stack[stack.length - 1].push({ atom: tok, line });
    }
    line += tok.split("\n").length - 1;
    if (re.lastIndex >= text.length) break;
  }
  if (stack.length !== 1) fail("unbalanced (", lines[lines.length - 1] ?? line);
  return top;
}

// --- opcode tables -------------------------------------------------------------------------

/** Plain (no immediate) MVP instructions. */
const PLAIN: Record<string, number> = {};
function plain(first: number, names: string): void {
  names.split(/\s+/).forEach((n, i) => n !== "_" && (PLAIN[n] = first + i));
}
plain(0x00, "unreachable nop");
plain(0x0f, "return");
plain(0x1a, "drop select");
plain(0x45, "i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u");
plain(0x50, "i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u");
plain(0x5b, "f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f64.eq f64.ne f64.lt f64.gt f64.le f64.ge");
plain(0x67, "i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr");
plain(0x79, "i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr");
plain(0x8b, "f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign");
plain(0x99, "f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign");
plain(
  0xa7,
  "i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u " +
    "f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64 f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32 " +
    "i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64 i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s",
);

/** Memory instructions: opcode and natural alignment (log2). */
const MEMORY: Record<string, [number, number]> = {};
"i32.load:2 i64.load:3 f32.load:2 f64.load:3 i32.load8_s:0 i32.load8_u:0 i32.load16_s:1 i32.load16_u:1 i64.load8_s:0 i64.load8_u:0 i64.load16_s:1 i64.load16_u:1 i64.load32_s:2 i64.load32_u:2 i32.store:2 i64.store:3 f32.store:2 f64.store:3 i32.store8:0 i32.store16:1 i64.store8:0 i64.store16:1 i64.store32:2"
  .split(" ")
  .forEach((s, i) => {
    const [n, a] = s.split(":");
    MEMORY[n] = [0x28 + i, Number(a)];
  });

/** 0xFC-prefixed saturating truncations. */
const SAT: Record<string, number> = {};
"i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u"
  .split(" ")
  .forEach((n, i) => (SAT[n] = i));

/** 0xFD-prefixed SIMD instructions without immediates, by opcode ("_" = unused or has immediates). */
const SIMD: Record<string, number> = {};
function simd(first: number, names: string): void {
  names.split(/\s+/).forEach((n, i) => n !== "_" && (SIMD[n] = first + i));
}
simd(0x0e, "i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat");
simd(0x23, "i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u");
simd(0x2d, "i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u");
simd(0x37, "i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u");
simd(0x41, "f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge");
simd(0x4d, "v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true");
simd(0x5e, "f32x4.demote_f64x2_zero f64x2.promote_low_f32x4");
simd(0x60, "i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest");
simd(0x6b, "i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor");
simd(0x76, "i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc i8x16.avgr_u");
simd(0x7c, "i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u");
simd(
  0x80,
  "i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u " +
    "i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u _ i16x8.avgr_u " +
    "i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u",
);
simd(
  0xa0,
  "i32x4.abs i32x4.neg _ i32x4.all_true i32x4.bitmask _ _ i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u " +
    "i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add _ _ i32x4.sub _ _ _ i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s _ " +
    "i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u",
);
simd(0xc0, "i64x2.abs i64x2.neg _ i64x2.all_true i64x2.bitmask _ _ i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u");
simd(0xcb, "i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add _ _ i64x2.sub _ _ _ i64x2.mul");
simd(0xe0, "f32x4.abs f32x4.neg _ f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin f32x4.pmax");
simd(0xec, "f64x2.abs f64x2.neg _ f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin f64x2.pmax");
simd(0xf8, "i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u");

/** SIMD memory instructions: opcode and natural alignment. */
const SIMD_MEMORY: Record<string, [number, number]> = {
  "v128.load": [0x00, 4],
  "v128.load8x8_s": [0x01, 3],
  "v128.load8x8_u": [0x02, 3],
  "v128.load16x4_s": [0x03, 3],
  "v128.load16x4_u": [0x04, 3],
  "v128.load32x2_s": [0x05, 3],
  "v128.load32x2_u": [0x06, 3],
  "v128.load8_splat": [0x07, 0],
  "v128.load16_splat": [0x08, 1],
  "v128.load32_splat": [0x09, 2],
  "v128.load64_splat": [0x0a, 3],
  "v128.store": [0x0b, 4],
  "v128.load32_zero": [0x5c, 2],
  "v128.load64_zero": [0x5d, 3],
};

/** SIMD lane instructions: opcode and lane count. */
const SIMD_LANE: Record<string, [number, number]> = {
  "i8x16.extract_lane_s": [0x15, 16],
  "i8x16.extract_lane_u": [0x16, 16],
  "i8x16.replace_lane": [0x17, 16],
  "i16x8.extract_lane_s": [0x18, 8],
  "i16x8.extract_lane_u": [0x19, 8],
  "i16x8.replace_lane": [0x1a, 8],
  "i32x4.extract_lane": [0x1b, 4],
  "i32x4.replace_lane": [0x1c, 4],
  "i64x2.extract_lane": [0x1d, 2],
  "i64x2.replace_lane": [0x1e, 2],
  "f32x4.extract_lane": [0x1f, 4],
  "f32x4.replace_lane": [0x20, 4],
  "f64x2.extract_lane": [0x21, 2],
  "f64x2.replace_lane": [0x22, 2],
};

// --- binary encoding ----------------------------------------------------------------------

function uleb(n: number | bigint, out: number[]): void {
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
}

function sleb(n: bigint, out: number[]): void {
  let v = n;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function bytesOf(array: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
}

function parseInt64(tok: string, line: number): bigint {
  const neg = tok.startsWith("-");
  const body = tok.replace(/^[-+]/, "").replace(/_/g, "");
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(body)) fail(`bad integer ${tok}`, line);
  return neg ? -BigInt(body) : BigInt(body);
}

function parseFloatToken(tok: string, line: number): number {
  const t = tok.replace(/_/g, "");
  if (/^[-+]?inf$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[-+]?nan$/.test(t)) return NaN;
  const hex = /^([-+]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([-+]?\d+)$/i.exec(t);
  if (hex) {
    const [, sign, whole, frac = "", exp] = hex;
    const mantissa = parseInt(whole + frac || "0", 16) / 16 ** frac.length;
    return (sign === "-" ? -1 : 1) * mantissa * 2 ** Number(exp);
  }
  const v = Number(t);
  if (Number.isNaN(v)) fail(`bad float ${tok}`, line);
  return v;
}

function vectorConst(shape: string, lanes: string[], line: number): number[] {
  const counts: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
  if (counts[shape] === undefined || lanes.length !== counts[shape]) fail(`v128.const ${shape} needs ${counts[shape] ?? "?"} lanes`, line);
  const out = new DataView(new ArrayBuffer(16));
  lanes.forEach((l, i) => {
    if (shape === "f32x4") out.setFloat32(4 * i, parseFloatToken(l, line), true);
    else if (shape === "f64x2") out.setFloat64(8 * i, parseFloatToken(l, line), true);
    else {
      const v = parseInt64(l, line);
      if (shape === "i8x16") out.setUint8(i, Number(BigInt.asUintN(8, v)));
      else if (shape === "i16x8") out.setUint16(2 * i, Number(BigInt.asUintN(16, v)), true);
      else if (shape === "i32x4") out.setUint32(4 * i, Number(BigInt.asUintN(32, v)), true);
      else out.setBigUint64(8 * i, BigInt.asUintN(64, v), true);
    }
  });
  return bytesOf(out);
}

interface FuncDef {
  name: string;
  exportName: string | null;
  params: number[];
  results: number[];
  locals: number[];
  localIndex: Map<string, number>;
  body: Sexp[];
  line: number;
}

function atomOf(s: Sexp | undefined): string | null {
  return s && "atom" in s ? s.atom : null;
}

class FunctionAssembler {
  readonly code: number[] = [];
  private readonly labels: (string | null)[] = [];

  constructor(
    private readonly func: FuncDef,
    private readonly funcIndex: Map<string, number>,
  ) {}

  private local(tok: string | null, line: number): number {
    if (tok === null) fail("local index expected", line);
    if (/^\d+$/.test(tok)) return Number(tok);
    const i = this.func.localIndex.get(tok);
    if (i === undefined) fail(`unknown local ${tok} in ${this.func.name}`, line);
    return i;
  }

  private label(tok: string | null, line: number): number {
    if (tok === null) fail("label expected", line);
    if (/^\d+$/.test(tok)) return Number(tok);
    const depth = this.labels.length - 1 - this.labels.lastIndexOf(tok);
    if (depth >= this.labels.length) fail(`unknown label ${tok}`, line);
    return depth;
  }

  /** Block type from a `(result t)` list, else empty. Returns how many items it consumed. */
  private blockType(items: Sexp[], at: number): [number, number] {
    const s = items[at];
    if (s && "list" in s && atomOf(s.list[0]) === "result") {
      const t = atomOf(s.list[1]);
      if (t === null || VALTYPE[t] === undefined) fail("bad block result type", s.line);
      return [VALTYPE[t], 1];
    }
    return [0x40, 0];
  }

  /** Emits a flat sequence; returns nothing. Folded lists are emitted depth-first. */
  sequence(items: Sexp[]): void {
    let i = 0;
    while (i < items.length) i = this.instruction(items, i);
  }

  /** Emits the instruction starting at items[i] (an atom with its immediates, or a folded list); returns the next index. */
  private instruction(items: Sexp[], i: number): number {
    const s = items[i];
    if ("list" in s) {
      this.folded(s.list, s.line);
      return i + 1;
    }
    const op = s.atom;
    const line = s.line;
    const c = this.code;
    if (op === "block" || op === "loop" || op === "if") {
      let j = i + 1;
      let name: string | null = null;
      if (atomOf(items[j])?.startsWith("$")) name = atomOf(items[j++]);
      const [type, used] = this.blockType(items, j);
      c.push(op === "block" ? 0x02 : op === "loop" ? 0x03 : 0x04, type);
      this.labels.push(name);
      return j + used;
    }
    if (op === "else") {
      c.push(0x05);
      return i + 1;
    }
    if (op === "end") {
      if (this.labels.length === 0) fail("end without block", line);
      this.labels.pop();
      c.push(0x0b);
      return i + 1;
    }
    if (op === "br" || op === "br_if") {
      c.push(op === "br" ? 0x0c : 0x0d);
      uleb(this.label(atomOf(items[i + 1]), line), c);
      return i + 2;
    }
    if (op === "call") {
      const name = atomOf(items[i + 1]);
      const idx = name === null ? undefined : this.funcIndex.get(name);
      if (idx === undefined) fail(`unknown function ${name}`, line);
      c.push(0x10);
      uleb(idx, c);
      return i + 2;
    }
    if (op === "local.get" || op === "local.set" || op === "local.tee") {
      c.push(op === "local.get" ? 0x20 : op === "local.set" ? 0x21 : 0x22);
      uleb(this.local(atomOf(items[i + 1]), line), c);
      return i + 2;
    }
    if (op === "i32.const" || op === "i64.const") {
      const v = parseInt64(atomOf(items[i + 1]) ?? "", line);
      c.push(op === "i32.const" ? 0x41 : 0x42);
      sleb(op === "i32.const" ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v), c);
      return i + 2;
    }
    if (op === "f32.const" || op === "f64.const") {
      const v = parseFloatToken(atomOf(items[i + 1]) ?? "", line);
      c.push(op === "f32.const" ? 0x43 : 0x44);
      c.push(...(op === "f32.const" ? bytesOf(new Float32Array([v])) : bytesOf(new Float64Array([v]))));
      return i + 2;
    }
    if (op === "v128.const") {
      const shape = atomOf(items[i + 1]) ?? "";
      const n = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 }[shape] ?? 0;
      const lanes = items.slice(i + 2, i + 2 + n).map((x) => atomOf(x) ?? "");
      c.push(0xfd);
      uleb(0x0c, c);
      c.push(...vectorConst(shape, lanes, line));
      return i + 2 + n;
    }
    if (op === "i8x16.shuffle") {
      const lanes = items.slice(i + 1, i + 17).map((x) => Number(atomOf(x)));
      if (lanes.length !== 16 || lanes.some((l) => !(l >= 0 && l < 32))) fail("i8x16.shuffle needs 16 lane indices < 32", line);
      c.push(0xfd);
      uleb(0x0d, c);
      c.push(...lanes);
      return i + 17;
    }
    if (SIMD_LANE[op]) {
      const [code, count] = SIMD_LANE[op];
      const lane = Number(atomOf(items[i + 1]));
      if (!(lane >= 0 && lane < count)) fail(`${op} lane out of range`, line);
      c.push(0xfd);
      uleb(code, c);
      c.push(lane);
      return i + 2;
    }
    if (MEMORY[op] || SIMD_MEMORY[op]) {
      const [code, natural] = MEMORY[op] ?? SIMD_MEMORY[op];
      let offset = 0;
      let align = natural;
      let j = i + 1;
      for (let a = atomOf(items[j]); a && /^(offset|align)=/.test(a); a = atomOf(items[++j])) {
        const v = Number(a.split("=")[1]);
        if (a.startsWith("offset")) offset = v;
        else align = Math.log2(v);
      }
      if (!(align >= 0 && align <= natural && Number.isInteger(align))) fail(`${op}: bad align`, line);
      if (SIMD_MEMORY[op]) {
        c.push(0xfd);
        uleb(code, c);
      } else c.push(code);
      uleb(align, c);
      uleb(offset, c);
      return j;
    }
    if (PLAIN[op] !== undefined) {
      c.push(PLAIN[op]);
      return i + 1;
    }
    if (SAT[op] !== undefined) {
      c.push(0xfc);
      uleb(SAT[op], c);
      return i + 1;
    }
    if (SIMD[op] !== undefined) {
      c.push(0xfd);
      uleb(SIMD[op], c);
      return i + 1;
    }
    fail(`unknown instruction ${op}`, line);
  }

  /** (op immediates... operands...) : operands first, then op; block/loop/if have bodies. */
  private folded(list: Sexp[], line: number): void {
    const op = atomOf(list[0]);
    if (op === null) fail("folded instruction expected", line);
    if (op === "block" || op === "loop") {
      let j = 1;
      const name = atomOf(list[j])?.startsWith("$") ? atomOf(list[j++]) : null;
      const [type, used] = this.blockType(list, j);
      this.code.push(op === "block" ? 0x02 : 0x03, type);
      this.labels.push(name);
      this.sequence(list.slice(j + used));
      this.labels.pop();
      this.code.push(0x0b);
      return;
    }
    if (op === "if") {
      let j = 1;
      const name = atomOf(list[j])?.startsWith("$") ? atomOf(list[j++]) : null;
      const [type, used] = this.blockType(list, j);
      j += used;
      const rest = list.slice(j);
      const isClause = (s: Sexp, k: string) => "list" in s && atomOf(s.list[0]) === k;
      const thenAt = rest.findIndex((s) => isClause(s, "then"));
      if (thenAt < 0) fail("folded if needs (then ...)", line);
      this.sequence(rest.slice(0, thenAt)); // condition
      this.code.push(0x04, type);
      this.labels.push(name);
      this.sequence((rest[thenAt] as { list: Sexp[] }).list.slice(1));
      const elseClause = rest[thenAt + 1];
      if (elseClause && isClause(elseClause, "else")) {
        this.code.push(0x05);
        this.sequence((elseClause as { list: Sexp[] }).list.slice(1));
      }
      this.labels.pop();
      this.code.push(0x0b);
      return;
    }
    // immediates are the leading atoms; operands are the lists that follow
    let k = 1;
    while (k < list.length && "atom" in list[k]) k++;
    this.sequence(list.slice(k));
    const next = this.instruction(list.slice(0, k), 0);
    if (next !== k) fail(`${op}: unexpected immediate ${atomOf(list[next]) ?? ""}`, line);
  }
}

function readFunc(s: Sexp[], line: number): FuncDef {
  const func: FuncDef = { name: "", exportName: null, params: [], results: [], locals: [], localIndex: new Map(), body: [], line };
  let i = 1;
  if (atomOf(s[i])?.startsWith("$")) func.name = atomOf(s[i++]) as string;
  const localNames: (string | null)[] = [];
  for (; i < s.length; i++) {
    const item = s[i];
    if (!("list" in item)) break;
    const head = atomOf(item.list[0]);
    if (head === "export") func.exportName = (atomOf(item.list[1]) ?? "").replace(/"/g, "");
    else if (head === "param" || head === "local" || head === "result") {
      const rest = item.list.slice(1).map((x) => atomOf(x) ?? "");
      const named = rest[0]?.startsWith("$");
      const types = named ? rest.slice(1) : rest;
      for (const t of types) {
        if (VALTYPE[t] === undefined) fail(`bad type ${t}`, item.line);
        if (head === "result") func.results.push(VALTYPE[t]);
        else {
          (head === "param" ? func.params : func.locals).push(VALTYPE[t]);
          localNames.push(named ? rest[0] : null);
        }
      }
      if (head === "param" && func.locals.length > 0) fail("param after local", item.line);
    } else break;
  }
  localNames.forEach((n, idx) => n !== null && func.localIndex.set(n, idx));
  func.body = s.slice(i);
  return func;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function vec(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const it of items) out.push(...it);
  return out;
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  const out: number[] = [];
  uleb(bytes.length, out);
  return out.concat(bytes);
}

/** WAT text (the subset above) -> a binary module. */
export function assembleWat(text: string): Uint8Array<ArrayBuffer> {
  const top = parse(text);
  const mod = top[0];
  if (!mod || !("list" in mod) || atomOf(mod.list[0]) !== "module") fail("(module ...) expected", 1);
  const imports: number[][] = [];
  const funcs: FuncDef[] = [];
  for (const item of mod.list.slice(1)) {
    if (!("list" in item)) fail("unexpected atom in module", item.line);
    const head = atomOf(item.list[0]);
    if (head === "import") {
      const mem = item.list[3];
      if (!mem || !("list" in mem) || atomOf(mem.list[0]) !== "memory") fail("only memory imports are supported", item.line);
      const [min, max] = [Number(atomOf(mem.list[1])), Number(atomOf(mem.list[2]))];
      const shared = atomOf(mem.list[3]) === "shared";
      const desc: number[] = [0x02, shared ? 0x03 : 0x01];
      uleb(min, desc);
      uleb(max, desc);
      imports.push([...name((atomOf(item.list[1]) ?? "").replace(/"/g, "")), ...name((atomOf(item.list[2]) ?? "").replace(/"/g, "")), ...desc]);
    } else if (head === "func") funcs.push(readFunc(item.list, item.line));
    else fail(`unsupported module field ${head}`, item.line);
  }
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const types: string[] = [];
  const typeOf = funcs.map((f) => {
    const key = `${f.params.join(",")}:${f.results.join(",")}`;
    if (!types.includes(key)) types.push(key);
    return types.indexOf(key);
  });
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(
    1,
    vec(
      types.map((key) => {
        const [p, r] = key.split(":").map((x) => (x ? x.split(",").map(Number) : []));
        const t: number[] = [0x60];
        uleb(p.length, t);
        t.push(...p);
        uleb(r.length, t);
        t.push(...r);
        return t;
      }),
    ),
    out,
  );
  section(2, vec(imports), out);
  section(
    3,
    vec(
      typeOf.map((t) => {
        const b: number[] = [];
        uleb(t, b);
        return b;
      }),
    ),
    out,
  );
  const exports = funcs.flatMap((f, i) => {
    if (f.exportName === null) return [];
    const b = [...name(f.exportName), 0x00];
    uleb(i, b);
    return [b];
  });
  section(7, vec(exports), out);
  const bodies = funcs.map((f) => {
    const fa = new FunctionAssembler(f, funcIndex);
    fa.sequence(f.body);
    const body: number[] = [];
    // locals, run-length grouped by type
    const groups: [number, number][] = [];
    for (const t of f.locals) {
      if (groups.length && groups[groups.length - 1][1] === t) groups[groups.length - 1][0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, body);
    for (const [n, t] of groups) {
      uleb(n, body);
      body.push(t);
    }
    body.push(...fa.code, 0x0b);
    const sized: number[] = [];
    uleb(body.length, sized);
    return sized.concat(body);
  });
  section(10, vec(bodies), out);
  return new Uint8Array(out);
}
