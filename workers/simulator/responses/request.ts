/** Validation of a Responses API request, answered with OpenAI-shaped 400s naming `param`. */
import { check, isObject, type Json } from '../request';
import { REQUEST_TIERS } from '../tiers';
import { REASONING_TOKENS } from '../tokens';
import type { ResponsesRequest } from './types';

const ROLES = ['user', 'assistant', 'system', 'developer'];
const TEXT_PARTS = ['input_text', 'output_text'];
const ITEM_TYPES = ['message', 'function_call', 'function_call_output', 'reasoning', 'item_reference'];
const VERBOSITIES = ['low', 'medium', 'high'];
/** OpenAI's floor for max_output_tokens. */
const MIN_OUTPUT_TOKENS = 16;

const isString = (value: unknown): value is string => typeof value === 'string';
const oneOf = (values: readonly unknown[]) => (value: unknown) => values.includes(value);
const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/** `body[name]` is absent or passes `valid`. */
function optional(body: Json, name: string, valid: (value: unknown) => boolean, expected: string, param = name): void {
  check(body[name] === undefined || valid(body[name]), `Invalid value for '${param}': expected ${expected}.`, param);
}

function required(body: Json, name: string, valid: (value: unknown) => boolean, expected: string, param: string): void {
  check(body[name] !== undefined, `Missing required parameter: '${param}'.`, param);
  optional(body, name, valid, expected, param);
}

function checkText(value: unknown, param: string): void {
  if (isString(value)) return;
  check(Array.isArray(value), `Invalid value for '${param}': expected a string or an array of text parts.`, param);
  value.forEach((part: unknown, j: number) => {
    const where = `${param}[${j}]`;
    check(isObject(part) && TEXT_PARTS.includes(part.type as string), `Invalid value for '${where}.type': the simulator reads ${list(TEXT_PARTS)} parts only.`, `${where}.type`);
    required(part, 'text', isString, 'a string', `${where}.text`);
  });
}

/** An item's type; without one, a message, or (given only an id, no role) an item_reference, as OpenAI reads it. */
function itemType(item: Json): unknown {
  return item.type ?? (item.role === undefined && item.id !== undefined ? 'item_reference' : 'message');
}

function checkItem(item: unknown, i: number): void {
  const param = `input[${i}]`;
  check(isObject(item), `Invalid value for '${param}': expected an object.`, param);
  const type = itemType(item);
  check(ITEM_TYPES.includes(type as string), `Invalid value for '${param}.type': the simulator supports ${list(ITEM_TYPES)} items.`, `${param}.type`);
  optional(item, 'id', isString, 'a string', `${param}.id`);
  if (type === 'message') {
    required(item, 'role', oneOf(ROLES), `one of ${list(ROLES)}`, `${param}.role`);
    check(item.content !== undefined, `Missing required parameter: '${param}.content'.`, `${param}.content`);
    checkText(item.content, `${param}.content`);
  } else if (type === 'function_call') {
    for (const name of ['call_id', 'name', 'arguments']) required(item, name, isString, 'a string', `${param}.${name}`);
  } else if (type === 'function_call_output') {
    required(item, 'call_id', isString, 'a string', `${param}.call_id`);
    check(item.output !== undefined, `Missing required parameter: '${param}.output'.`, `${param}.output`);
    checkText(item.output, `${param}.output`);
  } else if (type === 'reasoning') {
    optional(item, 'summary', (summary) => Array.isArray(summary) && summary.every((part) => isObject(part) && part.type === 'summary_text' && isString(part.text)), "an array of {type: 'summary_text', text}", `${param}.summary`);
  } else if (type === 'item_reference') {
    required(item, 'id', isString, 'a string', `${param}.id`);
  }
}

function checkTools(body: Json): void {
  optional(body, 'tools', Array.isArray, 'an array');
  const tools = (body.tools ?? []) as unknown[];
  tools.forEach((tool, i) => {
    const param = `tools[${i}]`;
    check(isObject(tool) && tool.type === 'function', `Invalid value for '${param}.type': the simulator supports function tools only.`, `${param}.type`);
    required(tool, 'name', (name) => isString(name) && name.length > 0, 'a non-empty string', `${param}.name`);
    optional(tool, 'parameters', (value) => value === null || isObject(value), 'an object', `${param}.parameters`);
    optional(tool, 'strict', (value) => value === null || typeof value === 'boolean', 'a boolean', `${param}.strict`);
    optional(tool, 'description', (value) => value === null || isString(value), 'a string', `${param}.description`);
  });
  const choice = body.tool_choice;
  if (choice === undefined || oneOf(['none', 'auto', 'required'])(choice)) return;
  check(isObject(choice) && choice.type === 'function' && isString(choice.name), "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or {type: 'function', name}.", 'tool_choice');
  const names = tools.map((tool) => (tool as Json).name);
  check(names.includes(choice.name), `Tool choice '${choice.name}' not found in 'tools' parameter.`, 'tool_choice');
}

function checkTextParam(body: Json): void {
  optional(body, 'text', isObject, 'an object');
  const text = (body.text ?? {}) as Json;
  optional(text, 'verbosity', oneOf(VERBOSITIES), `one of ${list(VERBOSITIES)}`, 'text.verbosity');
  const format = text.format;
  if (format === undefined) return;
  check(isObject(format), "Invalid value for 'text.format': expected an object.", 'text.format');
  required(format, 'type', oneOf(['text', 'json_object', 'json_schema']), "one of 'text', 'json_object', 'json_schema'", 'text.format.type');
  if (format.type !== 'json_schema') return;
  required(format, 'name', (name) => isString(name) && name.length > 0, 'a non-empty string', 'text.format.name');
  required(format, 'schema', isObject, 'a JSON Schema object', 'text.format.schema');
  optional(format, 'strict', (value) => value === null || typeof value === 'boolean', 'a boolean', 'text.format.strict');
}

function checkMetadata(body: Json): void {
  const valid = (value: unknown) =>
    isObject(value) &&
    Object.keys(value).length <= 16 &&
    Object.entries(value).every(([key, text]) => key.length <= 64 && isString(text) && text.length <= 512);
  optional(body, 'metadata', valid, 'at most 16 string pairs (keys up to 64 characters, values up to 512)');
}

/** Validates the body; top-level nulls are treated as absent, as OpenAI does. */
export function parseResponsesRequest(raw: unknown): ResponsesRequest {
  check(isObject(raw), 'The request body must be a JSON object.', 'body');
  const body = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
  required(body, 'model', (model) => isString(model) && model.length > 0, 'a non-empty string', 'model');
  required(body, 'input', (input) => isString(input) || (Array.isArray(input) && input.length > 0), 'a string or a non-empty array of items', 'input');
  if (Array.isArray(body.input)) {
    body.input.forEach(checkItem);
    body.input = body.input.map((item: Json) => ({ ...item, type: itemType(item) }));
  }
  for (const name of ['instructions', 'prompt_cache_key', 'previous_response_id', 'user']) optional(body, name, isString, 'a string');
  optional(body, 'safety_identifier', (value) => isString(value) && value.length <= 64, 'a string of at most 64 characters');
  for (const name of ['store', 'background', 'stream']) optional(body, name, (value) => typeof value === 'boolean', 'a boolean');
  checkTools(body);
  checkTextParam(body);
  checkMetadata(body);
  optional(body, 'max_output_tokens', (value) => Number.isInteger(value) && (value as number) >= MIN_OUTPUT_TOKENS, `an integer >= ${MIN_OUTPUT_TOKENS}`);
  optional(body, 'reasoning', isObject, 'an object');
  const effort = (body.reasoning as Json | undefined)?.effort;
  check(effort == null || (isString(effort) && effort in REASONING_TOKENS), `Invalid value for 'reasoning.effort': expected one of ${list(Object.keys(REASONING_TOKENS))}.`, 'reasoning.effort');
  optional(body, 'service_tier', oneOf(REQUEST_TIERS), `one of ${list(REQUEST_TIERS)}`);
  check(!(body.background && body.store === false), "Background mode requires 'store' to be true.", 'background');
  check(!(body.background && body.stream), 'The simulator does not stream background responses; create it, then retrieve it.', 'stream');
  return body as ResponsesRequest;
}
