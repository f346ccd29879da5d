// GGUF metadata values, keeping the declared type so that a U32 stays a U32 through a read and
// a write. Scalars carry a number (bigint for 64-bit integers); arrays carry a typed array for
// numeric items (so a 150 000-entry token_type array costs its bytes, not 150 000 objects),
// boolean[] / string[] for those, and nested arrays as GgufArray[].

export type GgufNumberType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
export type GgufBigIntType = "u64" | "i64";
export type GgufItemType = GgufNumberType | GgufBigIntType | "bool" | "string" | "array";

export type GgufScalar =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };

export interface GgufArrayItems {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  u64: BigUint64Array;
  i64: BigInt64Array;
  bool: boolean[];
  string: string[];
  array: GgufArray[];
}

export type GgufArray = { [K in GgufItemType]: { type: "array"; itemType: K; value: GgufArrayItems[K] } }[GgufItemType];

export type GgufValue = GgufScalar | GgufArray;

/** GGUF's on-disk value type codes (gguf_type). */
export const GGUF_TYPE_CODE: Readonly<Record<GgufItemType, number>> = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
};

export const GGUF_TYPE_BY_CODE: ReadonlyMap<number, GgufItemType> = new Map(
  Object.entries(GGUF_TYPE_CODE).map(([name, code]) => [code, name as GgufItemType]),
);

/** Fewest bytes one value of the type occupies in a file (strings: the u64 length; arrays: type + count). */
export const GGUF_MIN_SIZE: Readonly<Record<GgufItemType, number>> = {
  u8: 1,
  i8: 1,
  bool: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  u64: 8,
  i64: 8,
  f64: 8,
  string: 8,
  array: 12,
};

/** Bytes per item of the fixed-size numeric types, with the typed array that holds them. */
export const GGUF_NUMERIC_ARRAYS = {
  u8: [1, Uint8Array],
  i8: [1, Int8Array],
  u16: [2, Uint16Array],
  i16: [2, Int16Array],
  u32: [4, Uint32Array],
  i32: [4, Int32Array],
  f32: [4, Float32Array],
  f64: [8, Float64Array],
  u64: [8, BigUint64Array],
  i64: [8, BigInt64Array],
} as const;

export type GgufNumericItemType = keyof typeof GGUF_NUMERIC_ARRAYS;

export function isNumericItemType(t: GgufItemType): t is GgufNumericItemType {
  return Object.hasOwn(GGUF_NUMERIC_ARRAYS, t);
}
