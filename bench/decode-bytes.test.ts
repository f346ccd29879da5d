// The bytes a decoding step reads: every tensor's (blocks x block bytes), less the tables a
// token reads one row of. The expected sums are written out by hand from ggml's block sizes
// (Q8_0: 34 bytes a 32, Q4_0: 18 bytes a 32, F32: 4 bytes a value).

import { expect, it } from "vitest";
import { GGML_TYPE } from "../engine/formats/gguf/ggml-types.ts";
import type { GgufHeader, TensorInfo } from "../engine/formats/gguf/read.ts";
import { decodeBytesPerToken } from "./decode-bytes.ts";

const info = (name: string, dims: number[], type: number): TensorInfo => ({ name, dims, type, offset: 0n, at: 0 });
const header = (infos: TensorInfo[]): GgufHeader => ({ version: 3, alignment: 32, dataOffset: 0, metadata: new Map(), infos });

const embedding = info("token_embd.weight", [64, 1000], GGML_TYPE.Q8_0); // 1000 rows x 2 blocks x 34 = 68,000
const query = info("blk.0.attn_q.weight", [64, 64], GGML_TYPE.Q4_0); // 64 rows x 2 blocks x 18 = 2,304
const norm = info("blk.0.attn_norm.weight", [64], GGML_TYPE.F32); // 256

it("a model whose output is its embedding reads the embedding table whole, as the output matrix", () => {
  expect(decodeBytesPerToken(header([embedding, query, norm]))).toBe(68_000 + 2_304 + 256);
});

it("with an output matrix of its own, the embedding table and learned positions count for nothing (one row a token)", () => {
  const output = info("output.weight", [64, 1000], GGML_TYPE.Q4_0); // 1000 x 2 x 18 = 36,000
  const positions = info("position_embd.weight", [64, 128], GGML_TYPE.F32);
  expect(decodeBytesPerToken(header([embedding, positions, query, norm, output]))).toBe(2_304 + 256 + 36_000);
});

it("a tensor of a type without a known size gives no figure rather than a wrong one", () => {
  expect(decodeBytesPerToken(header([query, info("blk.0.ffn_up.weight", [64, 64], 9999)]))).toBeNull();
});
