/** The Chat Completions wire format: one JSON body, or SSE chunks. */
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
  for (const piece of pieces(text)) {
    await sleep((totalMs * piece.length) / Math.max(1, text.length), options.signal);
    yield chunk(call ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece });
  }
  yield chunk({}, answer.finishReason);
  if (options.includeUsage) yield { ...base, choices: [], usage: answer.usage };
}

export function streamResponse(answer: Answer, wire: WireContext, options: StreamOptions): Response {
  const encoder = new TextEncoder();
  const events = chunks(answer, wire, options);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await events.next();
      if (options.signal.aborted) {
        controller.close();
      } else if (next.done) {
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      } else {
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(next.value)}\n\n`));
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}
