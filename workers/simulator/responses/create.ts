/**
 * POST /v1/responses: the request becomes its Chat Completions equivalent (conversation.ts) and
 * is answered by the same steps as chat: injected faults, latency, `answerCall` (prompt cache,
 * `complete`, tiers, fail rate) and pacing. The result is stored (unless `store: false`) and
 * sent as JSON, as a stream, or, for `background`, at once as `queued`.
 */
import type { PromptCache } from '../cache';
import { answerCall } from '../call';
import { InvalidRequestError } from '../errors';
import { directiveValue, type FaultCounter, injectedFault, usageOmitted } from '../faults';
import type { SimulatorOptions } from '../options';
import { headerNumber, parseJson } from '../request';
import { pacingMs, sleep } from '../timing';
import { messageText } from '../tokens';
import { chatRequest, inputItems, newId, promptTokens } from './conversation';
import { finishedResponse, unfinishedResponse } from './output';
import { parseResponsesRequest } from './request';
import { currentResponse, type ResponseStore, type StoredResponse } from './store';
import { responseStream } from './stream';
import type { Item, ResponsesRequest } from './types';

export type ResponsesRoom = { options: SimulatorOptions; cache: PromptCache; faults: FaultCounter; store: ResponseStore };

/** The previous response's context and output, then this request's input. */
function conversationItems(request: ResponsesRequest, room: ResponsesRoom): Item[] {
  const own = inputItems(request.input, (id) => room.store.item(id));
  const previousId = request.previous_response_id;
  if (previousId === undefined) return own;
  const previous = room.store.get(previousId);
  if (!previous) throw new InvalidRequestError(`Previous response with id '${previousId}' not found.`, 'previous_response_id', 'previous_response_not_found');
  return [...previous.inputItems, ...currentResponse(previous, room.options.now()).output, ...own];
}

/** `x-sim-background-ms`, else `[[sim:background_ms=N]]`, else the option. */
function backgroundDelay(headers: Headers, texts: string[], options: SimulatorOptions): number {
  const directive = Number(directiveValue(texts, 'background_ms') ?? Number.NaN);
  return headerNumber(headers, 'x-sim-background-ms', Number.isFinite(directive) && directive >= 0 ? directive : options.backgroundMs);
}

export async function createResponse(http: Request, room: ResponsesRoom): Promise<Response> {
  const { options } = room;
  const raw = await http.text();
  const request = parseResponsesRequest(parseJson(raw));
  const { headers, signal } = http;
  const items = conversationItems(request, room);
  const chat = chatRequest(request, items);
  const texts = chat.messages.map(messageText);
  const latencyMs = headerNumber(headers, 'x-sim-latency-ms', options.latencyMs);
  const tokensPerSecond = headerNumber(headers, 'x-sim-tokens-per-second', options.tokensPerSecond);

  const faulted = await injectedFault(room.faults, raw, headers, texts, signal);
  if (faulted) return faulted;
  if (!request.background) await sleep(latencyMs, signal);

  const createdAtMs = options.now();
  const result = answerCall(options, room.cache, { chat, tokens: promptTokens(request, chat), texts, raw, headers });
  const readyAtMs = request.background ? createdAtMs + backgroundDelay(headers, texts, options) : createdAtMs;
  const id = newId('resp');
  const record: StoredResponse = {
    id,
    finished: finishedResponse(id, request, { answer: result, createdAtMs, completedAtMs: readyAtMs }),
    inputItems: items,
    background: request.background ? { createdAtMs, readyAtMs, cancelled: false } : null,
  };
  if (request.store !== false) room.store.add(record);

  if (request.stream) return responseStream(record.finished, { tokensPerSecond, omitUsage: usageOmitted(headers, texts), signal });
  if (request.background) return Response.json(unfinishedResponse(record.finished, 'queued'));
  const usage = result.usage;
  await sleep(pacingMs(usage.completion_tokens - usage.completion_tokens_details.reasoning_tokens, tokensPerSecond), signal);
  return Response.json(record.finished);
}
