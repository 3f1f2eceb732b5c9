import type { Stream } from "openai/core/streaming";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";

export interface StreamEnd {
  /** The usage from the stream's final chunk, if the upstream sent one. */
  usage: CompletionUsage | null;
  /** The tier the stream's chunks reported. */
  serviceTier: string | null;
  /** The client went away before the end; the upstream was still read to the end for its usage. */
  clientClosed: boolean;
  /** The upstream stream broke off. */
  upstreamError: unknown;
}

const encoder = new TextEncoder();
const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

/** The usage-only chunk that `stream_options.include_usage` adds at the end. */
const isUsageChunk = (chunk: ChatCompletionChunk) => chunk.choices.length === 0 && chunk.usage != null;

/**
 * Relays an upstream stream to the client as SSE, chunk by chunk, while capturing the usage.
 * When the caller did not ask for usage, nanometer asked for it on its own account: then the
 * usage chunk and the `usage: null` fields are not forwarded. `done` runs once, at the end,
 * whatever ended the stream; it is awaited through `keepAlive` (ctx.waitUntil).
 */
export function relayStream(
  upstream: Stream<ChatCompletionChunk>,
  forwardUsage: boolean,
  done: (end: StreamEnd) => Promise<void>,
  keepAlive: (work: Promise<unknown>) => void,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const end: StreamEnd = { usage: null, serviceTier: null, clientClosed: false, upstreamError: null };

  const send = async (bytes: Uint8Array) => {
    if (end.clientClosed) return;
    try {
      await writer.write(bytes);
    } catch {
      end.clientClosed = true;
    }
  };

  const pump = async () => {
    try {
      for await (const chunk of upstream) {
        if (chunk.usage) end.usage = chunk.usage;
        if (chunk.service_tier) end.serviceTier = chunk.service_tier;
        if (forwardUsage) await send(event(chunk));
        else if (!isUsageChunk(chunk)) {
          const { usage: _omitted, ...rest } = chunk;
          await send(event(rest));
        }
      }
      await send(encoder.encode("data: [DONE]\n\n"));
    } catch (err) {
      end.upstreamError = err;
      await send(event({ error: { type: "upstream_error", message: "the upstream stream broke off" } }));
    } finally {
      await writer.close().catch(() => undefined);
      await done(end);
    }
  };
  keepAlive(pump());
  return readable;
}
