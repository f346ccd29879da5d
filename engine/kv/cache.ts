// The decoding session's KV cache, pluggable: float32 (the default, exactly the arrays the
// session always had) or quantized per group (int8 or int4 codes with f16-exact scales, see
// quantize.ts), dequantized into a float scratch for the attention step of each layer.
// Shapes: k, v: [kvHeads * headDim] (one position); keys(l, n), values(l, n): [n, kvHeads * headDim].

import { NO_HOOKS, type EngineHooks } from "../hooks.ts";
import { FP16_TABLE, fp32ToFp16Bits } from "../quant/half.ts";
import { checkKvOptions, packInt4, quantizeGroups, type KvQuantOptions } from "./quantize.ts";

/** The hooks the quantized cache reads: one on write (the quantizer's), one on read. */
export type KvHooks = Pick<EngineHooks, "kvScaleUnsignedRange" | "kvCodesUnsigned" | "kvSparsityDropsLargest">;

export interface KvCache {
  /** Stores one position's keys and values of a layer. */
  write(layer: number, position: number, k: Float32Array, v: Float32Array): void;
  /** The float keys of positions [0, length) of a layer: valid until the next keys() call. */
  keys(layer: number, length: number): Float32Array;
  /** The float values of positions [0, length) of a layer: valid until the next values() call. */
  values(layer: number, length: number): Float32Array;
}

/** Float32 storage; keys() and values() return the stored arrays themselves, no copy. */
export class FloatKvCache implements KvCache {
  private readonly k: Float32Array[];
  private readonly v: Float32Array[];

  constructor(
    layers: number,
    capacity: number,
    private readonly width: number,
    allocate: (length: number) => Float32Array = (n) => new Float32Array(n),
  ) {
    this.k = Array.from({ length: layers }, () => allocate(capacity * width));
    this.v = Array.from({ length: layers }, () => allocate(capacity * width));
  }

  write(layer: number, position: number, k: Float32Array, v: Float32Array): void {
    this.k[layer].set(k, position * this.width);
    this.v[layer].set(v, position * this.width);
  }

  keys(layer: number): Float32Array {
    return this.k[layer];
  }

  values(layer: number): Float32Array {
    return this.v[layer];
  }
}

/** One tensor of the quantized cache (the keys or the values of every layer). */
class QuantizedStore {
  // int8: one code per byte; int4: two per byte (packInt4). scales: one f16 per group (its bits).
  private readonly codes: Int8Array[] | Uint8Array[];
  private readonly scales: Uint16Array[];
  private readonly rowCodes: Int8Array;
  private readonly rowScales: Float32Array;
  private readonly scratch: Float32Array; // dequantized positions of the layer being attended
  // The scratch holds layer `scratchLayer`'s positions [0, scratchValid) as their codes say now:
  // a read of the same layer dequantizes only the positions past them (a block of prompt tokens
  // reads each layer once per token, and would otherwise dequantize it all every time).
  private scratchLayer = -1;
  private scratchValid = 0;

  constructor(
    layers: number,
    capacity: number,
    private readonly width: number,
    private readonly options: KvQuantOptions,
    private readonly hooks: KvHooks,
  ) {
    const groups = width / options.groupSize;
    this.codes = options.bits === 8
      ? Array.from({ length: layers }, () => new Int8Array(capacity * width))
      : Array.from({ length: layers }, () => new Uint8Array((capacity * width) / 2));
    this.scales = Array.from({ length: layers }, () => new Uint16Array(capacity * groups));
    this.rowCodes = new Int8Array(width);
    this.rowScales = new Float32Array(groups);
    this.scratch = new Float32Array(capacity * width);
  }

  write(layer: number, position: number, x: Float32Array): void {
    if (layer === this.scratchLayer) this.scratchValid = Math.min(this.scratchValid, position);
    quantizeGroups(x, this.rowCodes, this.rowScales, this.options, this.hooks);
    const scales = this.scales[layer];
    for (let g = 0, at = position * this.rowScales.length; g < this.rowScales.length; g++) scales[at + g] = fp32ToFp16Bits(this.rowScales[g]);
    if (this.options.bits === 8) (this.codes[layer] as Int8Array).set(this.rowCodes, position * this.width);
    else packInt4(this.rowCodes, (this.codes[layer] as Uint8Array).subarray((position * this.width) / 2, ((position + 1) * this.width) / 2));
  }

  read(layer: number, length: number): Float32Array {
    if (layer !== this.scratchLayer) {
      this.scratchLayer = layer;
      this.scratchValid = 0;
    }
    if (length > this.scratchValid) {
      this.dequantize(layer, this.scratchValid, length);
      this.scratchValid = length;
    }
    return this.scratch;
  }

  /** Positions [from, to) of a layer into the scratch. */
  private dequantize(layer: number, from: number, to: number): void {
    const out = this.scratch;
    const scales = this.scales[layer];
    const g = this.options.groupSize;
    const groups = (to * this.width) / g;
    const first = (from * this.width) / g;
    // Hook kvCodesUnsigned: the signed codes read through an unsigned view.
    const unsigned = this.hooks.kvCodesUnsigned === true;
    if (this.options.bits === 8) {
      const stored = this.codes[layer] as Int8Array;
      const codes = unsigned ? new Uint8Array(stored.buffer, stored.byteOffset, stored.length) : stored;
      for (let k = first, i = first * g; k < groups; k++) {
        const scale = FP16_TABLE[scales[k]];
        for (const end = i + g; i < end; i++) out[i] = codes[i] * scale;
      }
    } else {
      const packed = this.codes[layer] as Uint8Array;
      const offset = unsigned ? 0 : 8;
      for (let k = first, i = first * g; k < groups; k++) {
        const scale = FP16_TABLE[scales[k]];
        for (const end = i + g; i < end; i += 2) {
          const b = packed[i >> 1];
          out[i] = ((b & 15) - offset) * scale;
          out[i + 1] = ((b >> 4) - offset) * scale;
        }
      }
    }
  }
}

/**
 * Keys and values quantized on write (int8 or int4 per group along head_dim, optionally
 * sparsified) and dequantized on read, one layer at a time into a shared scratch.
 * Memory per position and layer, for each of keys and values: width codes (bytes or nibbles)
 * and width / groupSize f16 scales (int8 at group 32: 34 bytes per 32 values, 3.76x less than
 * float32, as in the compressed file); plus one float scratch of [capacity, width] each in all.
 * Sparsified values are stored as code 0: sparsity changes the quality here, not the memory.
 */
export class QuantizedKvCache implements KvCache {
  private readonly k: QuantizedStore;
  private readonly v: QuantizedStore;

  constructor(layers: number, capacity: number, kvHeads: number, headDim: number, options: KvQuantOptions, hooks: KvHooks = NO_HOOKS) {
    checkKvOptions(options, headDim);
    const width = kvHeads * headDim;
    this.k = new QuantizedStore(layers, capacity, width, options, hooks);
    this.v = new QuantizedStore(layers, capacity, width, options, hooks);
  }

  write(layer: number, position: number, k: Float32Array, v: Float32Array): void {
    this.k.write(layer, position, k);
    this.v.write(layer, position, v);
  }

  keys(layer: number, length: number): Float32Array {
    return this.k.read(layer, length);
  }

  values(layer: number, length: number): Float32Array {
    return this.v.read(layer, length);
  }
}
