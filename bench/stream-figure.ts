// How the bench's tables print a decoding's streamed GB/s (the CLI's and report.html's): a module
// of its own, importing nothing, so that the report's HTML loads no part of the engine.

/** One runtime's streamed GB/s, its share of the stream reference in brackets where there is one; "-" for none. */
export function streamFigure(gbps: number | null, share: number | null | undefined, unit = ""): string {
  return gbps === null ? "-" : `${gbps.toFixed(1)}${unit}${share == null ? "" : ` (${(100 * share).toFixed(0)} %)`}`;
}
