// The bytes one decoding step reads from memory: every weight tensor once, but for the tables a
// token reads one row of (the token embedding where the output matrix is a tensor of its own,
// learned positions). A step's t/s times these bytes is the bandwidth it streams at, the figure
// a memory-bound step is held to (stream-bandwidth.ts measures the machine's).

import { ggmlTypeInfo, tensorBytes } from "../engine/formats/gguf/ggml-types.ts";
import type { GgufHeader } from "../engine/formats/gguf/read.ts";

/** Tables a token reads one row of; token_embd.weight only when output.weight exists (else it is also the output matrix, read whole). */
const ONE_ROW_TABLES = ["position_embd.weight"];

/** Bytes of the weights a decoding step reads: every tensor's but the one-row tables'; null where a tensor has a type this engine does not know the size of. */
export function decodeBytesPerToken(header: GgufHeader): number | null {
  const names = new Set(header.infos.map((info) => info.name));
  const oneRow = new Set(ONE_ROW_TABLES);
  if (names.has("output.weight")) oneRow.add("token_embd.weight");
  let bytes = 0;
  for (const info of header.infos) {
    if (oneRow.has(info.name)) continue;
    const type = ggmlTypeInfo(info.type);
    if (type === undefined) return null;
    bytes += tensorBytes(type, info.dims);
  }
  return bytes;
}
