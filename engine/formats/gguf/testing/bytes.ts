// Test support: GGUF bytes assembled by hand (little-endian), independent of the writer, so
// tests can build exactly the malformed or reference files they need.

export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u64(n: number | bigint): number[] {
  const b = BigInt(n);
  return Array.from({ length: 8 }, (_, i) => Number((b >> BigInt(8 * i)) & 0xffn));
}

export function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...u64(b.length), ...b];
}

/** "GGUF", version, tensor count, metadata count. */
export function header(tensors: number | bigint, kvs: number | bigint, version = 3): number[] {
  return [0x47, 0x47, 0x55, 0x46, ...u32(version), ...u64(tensors), ...u64(kvs)];
}

/** A tensor info: name, n_dims, dims (innermost first), ggml type, data offset. */
export function tensorInfo(name: string, dims: number[], type: number, offset: number | bigint): number[] {
  return [...str(name), ...u32(dims.length), ...dims.flatMap((d) => u64(d)), ...u32(type), ...u64(offset)];
}

/** The parts concatenated, zero-padded to `padTo` bytes (the data section start) when given. */
export function bytes(parts: number[][], padTo?: number): Uint8Array {
  const flat = parts.flat();
  while (padTo !== undefined && flat.length < padTo) flat.push(0);
  return Uint8Array.from(flat);
}
