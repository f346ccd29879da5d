// ggml tensor types as GGUF stores them: id -> name, values per block, bytes per block.
// Sizes follow ggml-common.h's block structs (e.g. block_q4_K = 2+2+12+128 = 144 bytes per 256).
// The reader needs them to size every tensor; whether the engine can compute with a type is a
// separate question answered by engine/quant/types.ts.

export interface GgmlTypeInfo {
  id: number;
  name: string;
  blockSize: number;
  typeSize: number;
}

const TABLE: GgmlTypeInfo[] = [
  [0, "F32", 1, 4],
  [1, "F16", 1, 2],
  [2, "Q4_0", 32, 18],
  [3, "Q4_1", 32, 20],
  [6, "Q5_0", 32, 22],
  [7, "Q5_1", 32, 24],
  [8, "Q8_0", 32, 34],
  [9, "Q8_1", 32, 36],
  [10, "Q2_K", 256, 84],
  [11, "Q3_K", 256, 110],
  [12, "Q4_K", 256, 144],
  [13, "Q5_K", 256, 176],
  [14, "Q6_K", 256, 210],
  [15, "Q8_K", 256, 292],
  [16, "IQ2_XXS", 256, 66],
  [17, "IQ2_XS", 256, 74],
  [18, "IQ3_XXS", 256, 98],
  [19, "IQ1_S", 256, 50],
  [20, "IQ4_NL", 32, 18],
  [21, "IQ3_S", 256, 110],
  [22, "IQ2_S", 256, 82],
  [23, "IQ4_XS", 256, 136],
  [24, "I8", 1, 1],
  [25, "I16", 1, 2],
  [26, "I32", 1, 4],
  [27, "I64", 1, 8],
  [28, "F64", 1, 8],
  [29, "IQ1_M", 256, 56],
  [30, "BF16", 1, 2],
  [34, "TQ1_0", 256, 54],
  [35, "TQ2_0", 256, 66],
  [39, "MXFP4", 32, 17],
].map(([id, name, blockSize, typeSize]) => ({ id, name, blockSize, typeSize }) as GgmlTypeInfo);

const BY_ID = new Map(TABLE.map((t) => [t.id, t]));

export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q6_K: 14, BF16: 30 } as const;

export function ggmlTypeInfo(id: number): GgmlTypeInfo | undefined {
  return BY_ID.get(id);
}

/** Bytes of a tensor of `type` with `dims` (whole blocks: the innermost dim a multiple of the block size). */
export function tensorBytes(type: GgmlTypeInfo, dims: readonly number[]): number {
  return (dims.reduce((n, d) => n * d, 1) / type.blockSize) * type.typeSize;
}

export function ggmlTypeIds(): number[] {
  return TABLE.map((t) => t.id);
}
