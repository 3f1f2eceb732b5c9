import { ApiError } from "../errors";
import type { Usage } from "../metering/cost";
import type { LedgerError } from "../metering/metered-request";
import { upstreamFailure } from "./upstream";

export interface StreamEnd {
  /** The usage the stream carried (a chat usage chunk, a Responses terminal event), if any. */
  usage: Usage | null;
  /** The tier the stream reported. */
  serviceTier: string | null;
  /** The stream itself said the call failed (a Responses `response.failed` or `error` event). */
  failure: LedgerError | null;
  /** The client went away before the end; the upstream was still read to the end for its usage. */
  clientClosed: boolean;
  /** The upstream stream broke off. */
  upstreamError: unknown;
}

/** What differs between the APIs' streams: where usage and tier sit, and how an event is written. */
export interface StreamDialect<E> {
  /** Notes in `end` what this event says for the ledger (usage, tier, a failure). */
  inspect(event: E, end: StreamEnd): void;
  /** The event as the caller gets it, one SSE frame; null holds it back. */
  frame(event: E): string | null;
  /** What the caller gets after the last event. */
  last: string;
  /** The frame that tells the caller the upstream broke off. */
  brokeOff(): string;
}

const encoder = new TextEncoder();

/**
 * The upstream's events, the first one already read: a stream that ends or breaks off before its
 * first event (an empty body, only `[DONE]`, a body that is not SSE) is a malformed answer, and
 * so a 502 thrown while the caller has no byte yet, as it is for a call answered whole.
 */
export async function withFirstEvent<E>(events: AsyncIterable<E>): Promise<AsyncIterable<E>> {
  const iterator = events[Symbol.asyncIterator]();
  const first = await iterator.next().catch((err: unknown) => {
    throw upstreamFailure(err);
  });
  if (first.done) throw new ApiError(502, "upstream_error", "the upstream's stream ended before its first event");
  return (async function* () {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
}

/**
 * Relays an upstream stream to the client as SSE, event by event, while the dialect notes its
 * usage. The upstream is read to its end whoever leaves: writes to the client are queued, never
 * awaited, so a client that stops reading, cancels, or whose connection is dropped before the
 * body is read (its stream then neither read nor cancelled) cannot hold up the reading. Once the
 * upstream has ended, the client has `deliveryMs` to take the rest; one that has not is recorded
 * as gone. `done` runs once, then, whatever ended the stream; it is awaited through `keepAlive`
 * (ctx.waitUntil).
 */
export function relayStream<E>(
  upstream: AsyncIterable<E>,
  dialect: StreamDialect<E>,
  done: (end: StreamEnd) => Promise<void>,
  keepAlive: (work: Promise<unknown>) => void,
  deliveryMs: number,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const end: StreamEnd = { usage: null, serviceTier: null, failure: null, clientClosed: false, upstreamError: null };
  // A cancel by the client errors the writer.
  writer.closed.catch(() => {
    end.clientClosed = true;
  });

  const send = (text: string) => {
    if (end.clientClosed || text === "") return;
    writer.write(encoder.encode(text)).catch(() => undefined);
  };

  const pump = async () => {
    try {
      for await (const event of upstream) {
        dialect.inspect(event, end);
        const frame = dialect.frame(event);
        if (frame !== null) send(frame);
      }
      send(dialect.last);
    } catch (err) {
      end.upstreamError = err;
      send(dialect.brokeOff());
    } finally {
      if (!(await delivered(writer, deliveryMs))) end.clientClosed = true;
      await done(end);
    }
  };
  keepAlive(pump());
  return readable;
}

/** Closes the client's side; true once the client has taken everything, false when it left or has not within `ms`. */
async function delivered(writer: WritableStreamDefaultWriter<Uint8Array>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([writer.close().then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
