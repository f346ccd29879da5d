// Length checks shared by the block formats: a row of n values must fill whole blocks, and a
// run of block bytes must hold whole blocks. Both throw QUANT_BAD_LENGTH with the numbers.

import { RefuteError } from "../../core/errors.ts";

/** Number of blocks in a row of n values; n must be a multiple of blockSize. */
export function blocksInRow(format: string, n: number, blockSize: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n % blockSize !== 0) {
    throw new RefuteError("QUANT_BAD_LENGTH", `${format}: a row of ${n} values does not fill whole blocks of ${blockSize}`, {
      format,
      expected: `a multiple of ${blockSize}`,
      found: n,
    });
  }
  return n / blockSize;
}

/** Number of blocks in `bytes`; its length must be a multiple of bytesPerBlock. */
export function blocksInBytes(format: string, bytes: Uint8Array, bytesPerBlock: number): number {
  if (bytes.length % bytesPerBlock !== 0) {
    throw new RefuteError("QUANT_BAD_LENGTH", `${format}: ${bytes.length} bytes is not a whole number of ${bytesPerBlock}-byte blocks`, {
      format,
      expected: `a multiple of ${bytesPerBlock}`,
      found: bytes.length,
    });
  }
  return bytes.length / bytesPerBlock;
}

/** The weight and activation of a dot product must cover the same number of blocks. */
export function sameBlockCount(format: string, weightBlocks: number, activationBlocks: number): void {
  if (weightBlocks !== activationBlocks) {
    throw new RefuteError("QUANT_BAD_LENGTH", `${format}: weight has ${weightBlocks} blocks, activation has ${activationBlocks}`, {
      format,
      expected: weightBlocks,
      found: activationBlocks,
    });
  }
}
