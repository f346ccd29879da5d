// Writes SafeTensors bytes: header padded with spaces so the data section is 8-aligned,
// tensors in name order, packed back to back (as Hugging Face's writer does).

import type { Tensor } from "../../tensor.ts";

export function writeSafeTensorsBytes(tensors: Tensor[], metadata: Record<string, string> = { format: "pt" }): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of sorted) {
    header[t.name] = { dtype: t.dtype.toUpperCase(), shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of sorted) {
    out.set(t.data, at);
    at += t.data.byteLength;
  }
  return out;
}
