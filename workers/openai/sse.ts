import type { Usage } from "../metering/cost";
import type { LedgerError } from "../metering/metered-request";

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
 * Relays an upstream stream to the client as SSE, event by event, while the dialect notes its
 * usage. The upstream is read to its end even when the client goes away, so the call is billed.
 * `done` runs once, at the end, whatever ended the stream; it is awaited through `keepAlive`
 * (ctx.waitUntil).
 */
export function relayStream<E>(
  upstream: AsyncIterable<E>,
  dialect: StreamDialect<E>,
  done: (end: StreamEnd) => Promise<void>,
  keepAlive: (work: Promise<unknown>) => void,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const end: StreamEnd = { usage: null, serviceTier: null, failure: null, clientClosed: false, upstreamError: null };

  const send = async (text: string) => {
    if (end.clientClosed || text === "") return;
    try {
      await writer.write(encoder.encode(text));
    } catch {
      end.clientClosed = true;
    }
  };

  const pump = async () => {
    try {
      for await (const event of upstream) {
        dialect.inspect(event, end);
        const frame = dialect.frame(event);
        if (frame !== null) await send(frame);
      }
      await send(dialect.last);
    } catch (err) {
      end.upstreamError = err;
      await send(dialect.brokeOff());
    } finally {
      await writer.close().catch(() => undefined);
      await done(end);
    }
  };
  keepAlive(pump());
  return readable;
}
