/** Validation of the incoming request, answered with OpenAI-shaped 400s. */
import { InvalidRequestError } from './errors';
import { REQUEST_TIERS } from './tiers';
import { REASONING_TOKENS } from './tokens';
import type { ChatRequest } from './types';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function check(condition: boolean, message: string, param: string): asserts condition {
  if (!condition) throw new InvalidRequestError(message, param);
}

function checkMessages(messages: unknown): void {
  check(Array.isArray(messages) && messages.length > 0, "'messages' must be a non-empty array.", 'messages');
  messages.forEach((message: unknown, i: number) => {
    const param = `messages[${i}]`;
    check(isObject(message), `${param} must be an object.`, param);
    check(typeof message.role === 'string' && ROLES.has(message.role), `${param}.role must be one of ${[...ROLES].join(', ')}.`, `${param}.role`);
    const content = message.content;
    const validContent =
      content === undefined || content === null || typeof content === 'string' || (Array.isArray(content) && content.every(isObject));
    check(validContent, `${param}.content must be a string or an array of content parts.`, `${param}.content`);
    const calls = message.tool_calls;
    const validCalls =
      calls === undefined ||
      (Array.isArray(calls) &&
        calls.every((call: unknown) => isObject(call) && isObject(call.function) && typeof call.function.name === 'string' && typeof call.function.arguments === 'string'));
    check(validCalls, `${param}.tool_calls must be function calls with a name and arguments.`, `${param}.tool_calls`);
  });
}

function checkTools(body: Json): void {
  const tools = body.tools;
  if (tools === undefined) return;
  check(Array.isArray(tools), "'tools' must be an array.", 'tools');
  const names = tools.map((tool: unknown, i: number) => {
    const fn = isObject(tool) && tool.type === 'function' ? tool.function : undefined;
    check(isObject(fn) && typeof fn.name === 'string', `tools[${i}] must be {type: "function", function: {name, ...}}.`, `tools[${i}]`);
    return fn.name;
  });
  const choice = body.tool_choice;
  if (choice === undefined || choice === 'none' || choice === 'auto' || choice === 'required') return;
  check(isObject(choice) && isObject(choice.function), "'tool_choice' must be none, auto, required or a named function.", 'tool_choice');
  check(names.includes(choice.function.name as string), `Tool choice '${String(choice.function.name)}' is not among the tools.`, 'tool_choice');
}

function checkResponseFormat(format: unknown): void {
  if (format === undefined) return;
  check(isObject(format), "'response_format' must be an object.", 'response_format');
  if (format.type === 'text' || format.type === 'json_object') return;
  check(format.type === 'json_schema', "'response_format.type' must be text, json_object or json_schema.", 'response_format.type');
  const spec = format.json_schema;
  check(isObject(spec) && typeof spec.name === 'string', "'response_format.json_schema.name' is required.", 'response_format.json_schema');
  check(spec.schema === undefined || isObject(spec.schema), "'response_format.json_schema.schema' must be an object.", 'response_format.json_schema.schema');
}

function checkOptionalInteger(body: Json, name: string): void {
  const value = body[name];
  check(value === undefined || (Number.isInteger(value) && (value as number) > 0), `'${name}' must be a positive integer.`, name);
}

/** Validates the body; top-level nulls are treated as absent, like OpenAI does. */
export function parseChatRequest(raw: unknown): ChatRequest {
  check(isObject(raw), 'The request body must be a JSON object.', 'body');
  const body = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
  check(typeof body.model === 'string' && body.model.length > 0, "'model' is required.", 'model');
  checkMessages(body.messages);
  checkTools(body);
  checkResponseFormat(body.response_format);
  checkOptionalInteger(body, 'max_completion_tokens');
  checkOptionalInteger(body, 'max_tokens');
  const effort = body.reasoning_effort;
  check(effort === undefined || (typeof effort === 'string' && effort in REASONING_TOKENS), `'reasoning_effort' must be one of ${Object.keys(REASONING_TOKENS).join(', ')}.`, 'reasoning_effort');
  const tier = body.service_tier;
  check(tier === undefined || (REQUEST_TIERS as readonly unknown[]).includes(tier), `'service_tier' must be one of ${REQUEST_TIERS.join(', ')}.`, 'service_tier');
  check(body.prompt_cache_key === undefined || typeof body.prompt_cache_key === 'string', "'prompt_cache_key' must be a string.", 'prompt_cache_key');
  return body as ChatRequest;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('We could not parse the JSON body of your request.', 'body');
  }
}

/** A non-negative number from a knob header, or the fallback when the header is absent. */
export function headerNumber(headers: Headers, name: string, fallback: number): number {
  const raw = headers.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidRequestError(`Header ${name} must be a non-negative number.`, name);
  return value;
}
