/**
 * A Responses request as the Chat Completions request the rest of the simulator answers: its
 * items (the previous response's context and output first, then the new input) become messages,
 * so answers, token counts, the prompt cache and directives work exactly as they do for chat.
 */
import { check } from '../request';
import { encodeText, promptTokenSequence } from '../tokens';
import type { ChatRequest, Message, ResponseFormat } from '../types';
import type { InputItemParam, Item, MessageItem, ResponsesRequest, TextPart } from './types';

/** The stored item an `item_reference` points at, if any. */
export type ItemLookup = (id: string) => Item | undefined;

export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;
}

/** A message as OpenAI stores it: the assistant's text as output_text parts, anyone else's as input_text. */
export function messageItem(role: string, content: string | TextPart[], id = newId('msg')): MessageItem {
  const texts = typeof content === 'string' ? [content] : content.map((part) => part.text);
  return {
    id,
    type: 'message',
    role,
    status: 'completed',
    content: texts.map((text) => (role === 'assistant' ? { type: 'output_text', text, annotations: [], logprobs: [] } : { type: 'input_text', text })),
  };
}

function toItem(param: InputItemParam, index: number, lookup: ItemLookup): Item {
  switch (param.type) {
    case 'item_reference': {
      const item = lookup(param.id);
      check(item !== undefined, `Item with id '${param.id}' not found.`, `input[${index}].id`);
      return item;
    }
    case 'function_call':
      return { id: param.id ?? newId('fc'), type: 'function_call', status: 'completed', call_id: param.call_id, name: param.name, arguments: param.arguments };
    case 'function_call_output':
      return { id: param.id ?? newId('fco'), type: 'function_call_output', status: 'completed', call_id: param.call_id, output: param.output };
    case 'reasoning':
      return { id: param.id ?? newId('rs'), type: 'reasoning', summary: param.summary ?? [] };
    default:
      return messageItem(param.role, param.content, param.id);
  }
}

/** The request's own input as items with ids, references resolved. */
export function inputItems(input: ResponsesRequest['input'], lookup: ItemLookup): Item[] {
  if (typeof input === 'string') return [messageItem('user', input)];
  return input.map((param, index) => toItem(param, index, lookup));
}

/** Reasoning items carry no text; they add nothing to the prompt. */
function toMessage(item: Item): Message | null {
  switch (item.type) {
    case 'message':
      return { role: item.role, content: item.content };
    case 'function_call':
      return { role: 'assistant', content: null, tool_calls: [{ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } }] };
    case 'function_call_output':
      return { role: 'tool', content: item.output };
    case 'reasoning':
      return null;
  }
}

function responseFormat(request: ResponsesRequest): ResponseFormat | undefined {
  const format = request.text?.format;
  if (format?.type !== 'json_schema') return format;
  return { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? undefined } };
}

/** The Chat Completions request with the same meaning: instructions first, as a developer message. */
export function chatRequest(request: ResponsesRequest, items: readonly Item[]): ChatRequest {
  const choice = request.tool_choice;
  const instructions: Message[] = request.instructions === undefined ? [] : [{ role: 'developer', content: request.instructions }];
  return {
    model: request.model,
    messages: [...instructions, ...items.map(toMessage).filter((message) => message !== null)],
    tools: request.tools?.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description ?? undefined, parameters: tool.parameters ?? undefined },
    })),
    tool_choice: typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice,
    response_format: responseFormat(request),
    max_completion_tokens: request.max_output_tokens,
    reasoning_effort: request.reasoning?.effort,
    prompt_cache_key: request.prompt_cache_key,
    service_tier: request.service_tier,
  };
}

/** The prompt as chat counts it, except that tools are the JSON text of `tools` as sent (Responses shape). */
export function promptTokens(request: ResponsesRequest, chat: ChatRequest): number[] {
  const tools = request.tools?.length ? encodeText(JSON.stringify(request.tools)) : [];
  return tools.concat(promptTokenSequence({ ...chat, tools: undefined }));
}
