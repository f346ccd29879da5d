// An HTTP response's body read up to a limit: a server's answer is untrusted input, so a body
// over the limit (declared or streamed) stops the read at the limit instead of filling memory.
// Callers turn the overflow into their own error (a protocol error, a serving error).

/** The body was longer than `limit` bytes (`declared`: what content-length said, if it said). */
export class BodyTooLarge extends Error {
  constructor(
    readonly limit: number,
    readonly declared: number | null,
  ) {
    super(declared === null ? `a body over the limit of ${limit} bytes` : `a body of ${declared} bytes, over the limit of ${limit}`);
    this.name = "BodyTooLarge";
  }
}

/** The body as UTF-8 text, at most `limit` bytes; BodyTooLarge beyond (leaving the loop cancels the stream). */
export async function boundedBody(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw new BodyTooLarge(limit, declared);
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) throw new BodyTooLarge(limit, null);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
