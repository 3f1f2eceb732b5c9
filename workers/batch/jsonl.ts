/** JSONL as streams: a file read line by line, and one written as a multipart upload, never held whole. */

/**
 * The lines of a UTF-8 byte stream without their line ends (`\n` or `\r\n`). Blank lines are
 * yielded too, so a caller's count is the file's line number; the empty rest after a final `\n`
 * is not a line. Stopping early cancels the stream.
 */
export async function* textLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      // Only the new text can hold the next line end: a long line is not searched again per chunk.
      let from = rest.length;
      rest += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let end: number;
      while ((end = rest.indexOf("\n", from)) >= 0) {
        yield rest.slice(0, end).replace(/\r$/, "");
        rest = rest.slice(end + 1);
        from = 0;
      }
      if (done) break;
    }
    if (rest !== "") yield rest.replace(/\r$/, "");
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Lines are sent in pieces of about this many bytes. */
const PIECE_BYTES = 64 * 1024;

/**
 * A multipart/form-data body with text `fields` and one file made of `lines` (each a whole line,
 * its `\n` included), produced as the upstream reads it: the lines are built on demand.
 */
export function multipartFile(fields: Record<string, string>, filename: string, lines: Iterable<string>) {
  const boundary = `nanometer-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const head =
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("") +
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${filename}"\r\ncontent-type: application/jsonl\r\n\r\n`;
  const pieces = (function* () {
    yield head;
    let piece = "";
    for (const line of lines) {
      piece += line;
      if (piece.length >= PIECE_BYTES) {
        yield piece;
        piece = "";
      }
    }
    yield `${piece}\r\n--${boundary}--\r\n`;
  })();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
