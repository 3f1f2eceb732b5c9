/** An Answer in the Responses wire shape: output items, usage, and the whole Response object. */
import { DEFAULT_REASONING_EFFORT } from '../tokens';
import type { Answer, Usage } from '../types';
import { messageItem, newId } from './conversation';
import type { Item, ResponseObject, ResponseStatus, ResponsesRequest, ResponseUsage } from './types';

/**
 * A reasoning item (with an empty summary, as OpenAI sends when no summary was asked for) when
 * the answer reasoned, then the function call or the assistant message. A message cut to nothing
 * by max_output_tokens is left out, as OpenAI does when the budget went to reasoning.
 */
export function outputItems(answer: Answer): Item[] {
  const items: Item[] = [];
  const status = answer.finishReason === 'length' ? 'incomplete' : 'completed';
  if (answer.usage.completion_tokens_details.reasoning_tokens > 0) items.push({ id: newId('rs'), type: 'reasoning', summary: [] });
  const call = answer.toolCall;
  if (call) {
    items.push({ id: newId('fc'), type: 'function_call', status, call_id: call.id, name: call.function.name, arguments: call.function.arguments });
  } else if (answer.content || status === 'completed') {
    items.push({ ...messageItem('assistant', answer.content ?? ''), status });
  }
  return items;
}

export function responseUsage(usage: Usage): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details.cached_tokens,
      cache_write_tokens: usage.prompt_tokens_details.cache_write_tokens,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details.reasoning_tokens },
    total_tokens: usage.total_tokens,
  };
}

/** The request's settings as the Response object reports them back. */
function echoedSettings(request: ResponsesRequest, serviceTier: string) {
  return {
    background: request.background ?? false,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: null,
    metadata: request.metadata ?? {},
    model: request.model,
    parallel_tool_calls: true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: { effort: request.reasoning?.effort ?? DEFAULT_REASONING_EFFORT, summary: null },
    safety_identifier: request.safety_identifier ?? null,
    service_tier: serviceTier,
    store: request.store ?? true,
    temperature: 1,
    text: { format: request.text?.format ?? { type: 'text' }, verbosity: request.text?.verbosity ?? 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? true,
    })),
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    // OpenAI's schema types `user` as a string, not nullable: it is reported only when sent.
    ...(request.user === undefined ? {} : { user: request.user }),
  };
}

export type Finished = { answer: Answer; createdAtMs: number; completedAtMs: number };

/** The finished Response: completed, or incomplete when max_output_tokens cut it. */
export function finishedResponse(id: string, request: ResponsesRequest, { answer, createdAtMs, completedAtMs }: Finished): ResponseObject {
  const incomplete = answer.finishReason === 'length';
  return {
    id,
    object: 'response',
    created_at: Math.floor(createdAtMs / 1000),
    status: incomplete ? 'incomplete' : 'completed',
    completed_at: incomplete ? null : Math.floor(completedAtMs / 1000),
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    output: outputItems(answer),
    ...echoedSettings(request, answer.serviceTier),
    usage: responseUsage(answer.usage),
  };
}

/** The same Response before it is done (or once cancelled): no output, no usage. */
export function unfinishedResponse(finished: ResponseObject, status: ResponseStatus): ResponseObject {
  const { usage: _usage, ...rest } = finished;
  return { ...rest, status, completed_at: null, incomplete_details: null, output: [] };
}
