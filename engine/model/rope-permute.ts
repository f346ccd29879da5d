// llama.cpp's llama architecture rotates adjacent pairs (x[2i], x[2i+1]) in RoPE, Hugging Face
// rotates split halves (x[i], x[i + d/2]). llama.cpp's converter therefore permutes the rows
// of q_proj and k_proj within each head on export; the importer undoes it.
// Within a head of d rows: GGUF row 2i + j  <-  HF row j * d/2 + i   (j in {0, 1}, i < d/2).
// Rows are whole quant blocks, so the permutation works on any dtype's bytes.

export function ggufRowOfHfRow(headDim: number): (row: number) => number {
  const half = headDim / 2;
  return (hfRow) => {
    const head = Math.floor(hfRow / headDim);
    const within = hfRow % headDim;
    const j = Math.floor(within / half);
    const i = within % half;
    return head * headDim + 2 * i + j;
  };
}

/** Moves row r of `data` ([rows, rowBytes]) to row target(r). */
export function permuteRows(data: Uint8Array, rows: number, target: (row: number) => number): Uint8Array {
  const rowBytes = data.byteLength / rows;
  const out = new Uint8Array(data.byteLength);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * rowBytes, (r + 1) * rowBytes), target(r) * rowBytes);
  return out;
}

/** HF layout -> llama.cpp's adjacent-pair layout. */
export function toAdjacentPairs(data: Uint8Array, rows: number, headDim: number): Uint8Array {
  return permuteRows(data, rows, ggufRowOfHfRow(headDim));
}

/** llama.cpp's adjacent-pair layout -> HF layout. */
export function toSplitHalves(data: Uint8Array, rows: number, headDim: number): Uint8Array {
  const forward = ggufRowOfHfRow(headDim);
  const inverse = new Array<number>(rows);
  for (let r = 0; r < rows; r++) inverse[forward(r)] = r;
  return permuteRows(data, rows, (r) => inverse[r]);
}

/**
 * toSplitHalves in `data` itself, one head at a time through a copy of that head's rows (the
 * permutation stays within a head): for a file's own bytes, so the re-ordered q and k need no
 * second copy (TinyLlama at F32: 415 MB). Returns `data`.
 */
export function toSplitHalvesInPlace(data: Uint8Array, rows: number, headDim: number): Uint8Array {
  const rowBytes = data.byteLength / rows;
  const forward = ggufRowOfHfRow(headDim);
  const head = new Uint8Array(headDim * rowBytes);
  for (let h = 0; h < rows; h += headDim) {
    head.set(data.subarray(h * rowBytes, (h + headDim) * rowBytes));
    // HF row h + i is GGUF row forward(h + i), both within this head
    for (let i = 0; i < headDim; i++) {
      const from = forward(h + i) - h;
      data.set(head.subarray(from * rowBytes, (from + 1) * rowBytes), (h + i) * rowBytes);
    }
  }
  return data;
}
