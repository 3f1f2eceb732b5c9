/** The Chat Completions wire format (one JSON body, or SSE chunks) and the SSE plumbing every stream shares. */
import { sleep, pacingMs } from './timing';
import type { Answer } from './types';

export const SYSTEM_FINGERPRINT = 'fp_nanometer_sim';
/** Code points per streamed content or arguments delta. */
const PIECE_LENGTH = 16;

export type WireContext = { id: string; created: number; model: string };

export function completionBody(answer: Answer, wire: WireContext) {
  return {
    id: wire.id,
    object: 'chat.completion',
    created: wire.created,
    model: wire.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.content,
          refusal: null,
          ...(answer.toolCall ? { tool_calls: [answer.toolCall] } : {}),
          annotations: [],
        },
        finish_reason: answer.finishReason,
        logprobs: null,
      },
    ],
    usage: answer.usage,
    service_tier: answer.serviceTier,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

function pieces(text: string): string[] {
  const points = Array.from(text);
  const result: string[] = [];
  for (let i = 0; i < points.length; i += PIECE_LENGTH) result.push(points.slice(i, i + PIECE_LENGTH).join(''));
  return result;
}

/** The text in stream-sized pieces, each released after its share of `totalMs`. */
export async function* pacedPieces(text: string, totalMs: number, signal: AbortSignal): AsyncGenerator<string> {
  for (const piece of pieces(text)) {
    await sleep((totalMs * piece.length) / Math.max(1, text.length), signal);
    yield piece;
  }
}

export type StreamOptions = {
  includeUsage: boolean;
  /** Output pacing over the visible answer tokens; 0 = instant. */
  tokensPerSecond: number;
  signal: AbortSignal;
};

async function* chunks(answer: Answer, wire: WireContext, options: StreamOptions) {
  const base = { id: wire.id, object: 'chat.completion.chunk', created: wire.created, model: wire.model, service_tier: answer.serviceTier, system_fingerprint: SYSTEM_FINGERPRINT };
  const usageField = options.includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
  });
  const call = answer.toolCall;
  const text = call ? call.function.arguments : (answer.content ?? '');
  const visibleTokens = answer.usage.completion_tokens - answer.usage.completion_tokens_details.reasoning_tokens;
  const totalMs = pacingMs(visibleTokens, options.tokensPerSecond);

  yield chunk({ role: 'assistant', content: call ? null : '', refusal: null });
  if (call) {
    yield chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
  }
  for await (const piece of pacedPieces(text, totalMs, options.signal)) {
    yield chunk(call ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece });
  }
  yield chunk({}, answer.finishReason);
  if (options.includeUsage) yield { ...base, choices: [], usage: answer.usage };
}

async function* chatFrames(answer: Answer, wire: WireContext, options: StreamOptions): AsyncGenerator<string> {
  for await (const chunk of chunks(answer, wire, options)) yield `data: ${JSON.stringify(chunk)}\n\n`;
  yield 'data: [DONE]\n\n';
}

export function streamResponse(answer: Answer, wire: WireContext, options: StreamOptions): Response {
  return sseResponse(chatFrames(answer, wire, options), options.signal);
}

/** A text/event-stream response of ready-made SSE frames; it stops, unfinished, when the client goes away. */
export function sseResponse(frames: AsyncGenerator<string>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await frames.next();
      if (signal.aborted || next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await frames.return(undefined);
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}
