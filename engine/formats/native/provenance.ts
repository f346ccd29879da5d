// Provenance helper: the sha256 a source file is recorded under, from its bytes.

import { createHash } from "node:crypto";

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
