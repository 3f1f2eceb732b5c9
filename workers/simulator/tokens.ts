/**
 * Token counting with the real o200k_base encoding.
 *
 * The prompt is the token sequence: tool definitions (JSON text of `tools`), the json_schema
 * (JSON text of `response_format.json_schema.schema`), then for every message 3 framing tokens
 * followed by its text, then 3 tokens priming the reply. Its length is `prompt_tokens`; its
 * prefixes are what the prompt cache matches.
 */
import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { hashString } from './hash';
import type { ChatRequest, Message } from './types';

/** Framing tokens live outside the o200k vocabulary so they never collide with text. */
const MESSAGE_START = 1_000_001;
const MESSAGE_SEPARATOR = 1_000_002;
const REPLY_PRIMER = [1_000_003, 1_000_004, 1_000_005];

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** o200k tokens of any text; special-token strings are encoded as plain text. */
export function encodeText(text: string): number[] {
  return encode(text, PLAIN_TEXT);
}

export function countTokens(text: string): number {
  return encodeText(text).length;
}

/** The first `limit` tokens of `text`, decoded back to text. */
export function truncateToTokens(text: string, limit: number): string {
  return decode(encodeText(text).slice(0, Math.max(0, limit)));
}

/** The text a message contributes: string content, text parts, and tool calls it made. */
export function messageText(message: Message): string {
  const { content } = message;
  const parts: string[] = [];
  if (typeof content === 'string') parts.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) if (typeof part.text === 'string') parts.push(part.text);
  }
  for (const call of message.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
  return parts.join('\n');
}

export function promptTokenSequence(request: ChatRequest): number[] {
  let sequence: number[] = [];
  if (request.tools?.length) sequence = sequence.concat(encodeText(JSON.stringify(request.tools)));
  const format = request.response_format;
  if (format?.type === 'json_schema' && format.json_schema.schema) {
    sequence = sequence.concat(encodeText(JSON.stringify(format.json_schema.schema)));
  }
  for (const message of request.messages) {
    sequence.push(MESSAGE_START, hashString(message.role), MESSAGE_SEPARATOR);
    sequence = sequence.concat(encodeText(messageText(message)));
  }
  return sequence.concat(REPLY_PRIMER);
}

/**
 * Reasoning tokens per effort, counted inside completion_tokens. gpt-5.4-nano (and -mini) reason
 * only when asked: without an effort they answer at `none`. `minimal` is accepted as the gpt-5
 * models took it.
 */
export const REASONING_TOKENS: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 16,
  low: 64,
  medium: 192,
  high: 512,
  xhigh: 1024,
};

export const DEFAULT_REASONING_EFFORT = 'none';

/** Callers validate `effort` against REASONING_TOKENS first. */
export function reasoningTokens(effort: string | undefined): number {
  return REASONING_TOKENS[effort ?? DEFAULT_REASONING_EFFORT] ?? 0;
}
