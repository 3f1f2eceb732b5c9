/**
 * The Responses stream: `event: TYPE` / `data: JSON` frames numbered by `sequence_number`, in
 * OpenAI's order: response.created, response.in_progress, then for each output item its
 * output_item.added, content (text parts and deltas, or function-call argument deltas) and
 * output_item.done, and last response.completed (or response.incomplete) with the whole response.
 * Visible output is paced at tokens-per-second, as chat streams are.
 */
import { pacingMs } from '../timing';
import { pacedPieces, sseResponse } from '../wire';
import { unfinishedResponse } from './output';
import type { FunctionCallItem, Item, MessageItem, ResponseObject } from './types';

export type ResponseStreamOptions = {
  tokensPerSecond: number;
  /** End with a terminal event whose response has no `usage` (the `usage=omit` directive). */
  omitUsage: boolean;
  signal: AbortSignal;
};

type Event = { type: string; [field: string]: unknown };
type Paced = (text: string) => AsyncGenerator<string>;

async function* messageEvents(item: MessageItem, output_index: number, paced: Paced): AsyncGenerator<Event> {
  const at = { item_id: item.id, output_index, content_index: 0 };
  const part = item.content[0] ?? { type: 'output_text', text: '', annotations: [], logprobs: [] };
  yield { type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', content: [] } };
  yield { type: 'response.content_part.added', ...at, part: { ...part, text: '' } };
  for await (const delta of paced(part.text)) yield { type: 'response.output_text.delta', ...at, delta, logprobs: [] };
  yield { type: 'response.output_text.done', ...at, text: part.text, logprobs: [] };
  yield { type: 'response.content_part.done', ...at, part };
  yield { type: 'response.output_item.done', output_index, item };
}

async function* functionCallEvents(item: FunctionCallItem, output_index: number, paced: Paced): AsyncGenerator<Event> {
  yield { type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', arguments: '' } };
  for await (const delta of paced(item.arguments)) {
    yield { type: 'response.function_call_arguments.delta', item_id: item.id, output_index, delta };
  }
  yield { type: 'response.function_call_arguments.done', item_id: item.id, name: item.name, output_index, arguments: item.arguments };
  yield { type: 'response.output_item.done', output_index, item };
}

function itemEvents(item: Item, outputIndex: number, paced: Paced): AsyncGenerator<Event> | Event[] {
  switch (item.type) {
    case 'message':
      return messageEvents(item, outputIndex, paced);
    case 'function_call':
      return functionCallEvents(item, outputIndex, paced);
    default:
      return [
        { type: 'response.output_item.added', output_index: outputIndex, item },
        { type: 'response.output_item.done', output_index: outputIndex, item },
      ];
  }
}

async function* events(finished: ResponseObject, options: ResponseStreamOptions): AsyncGenerator<Event> {
  const inProgress = unfinishedResponse(finished, 'in_progress');
  yield { type: 'response.created', response: inProgress };
  yield { type: 'response.in_progress', response: inProgress };
  const usage = finished.usage;
  const visibleTokens = usage ? usage.output_tokens - usage.output_tokens_details.reasoning_tokens : 0;
  const totalMs = pacingMs(visibleTokens, options.tokensPerSecond);
  const paced: Paced = (text) => pacedPieces(text, totalMs, options.signal);
  for (const [index, item] of finished.output.entries()) yield* itemEvents(item, index, paced);
  const { usage: _usage, ...withoutUsage } = finished;
  const type = finished.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  yield { type, response: options.omitUsage ? withoutUsage : finished };
}

async function* frames(finished: ResponseObject, options: ResponseStreamOptions): AsyncGenerator<string> {
  let sequence_number = 0;
  for await (const { type, ...fields } of events(finished, options)) {
    yield `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence_number++, ...fields })}\n\n`;
  }
}

export function responseStream(finished: ResponseObject, options: ResponseStreamOptions): Response {
  return sseResponse(frames(finished, options), options.signal);
}
