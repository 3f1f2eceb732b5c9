/**
 * Deterministic answers: schema-valid JSON for json_schema, one tool call when tools apply, for
 * json_object an object of the keys the prompt names, otherwise text made of the last user
 * message's words. Not intelligent, only repeatable.
 */
import { stripDirectives } from './faults';
import { hashString, hexId } from './hash';
import { requestedObjectSchema } from './json-keys';
import { generateValue, type SchemaContext } from './schema';
import { messageText } from './tokens';
import type { ChatRequest, FunctionTool, JsonSchema, ToolCall } from './types';

/** Words in a plain text answer before the model's verbosity multiplier. */
export const BASE_TEXT_WORDS = 24;

export type AnswerDraft = { content: string | null; toolCall: ToolCall | null };

export type DraftOptions = {
  /** Multiplies the plain text answer length. */
  verbosity: number;
  /** Make a json_schema answer deliberately invalid (a required property missing). */
  invalidJson: boolean;
};

export function lastUserText(request: ChatRequest): string {
  const users = request.messages.filter((message) => message.role === 'user');
  const last = users[users.length - 1] ?? request.messages[request.messages.length - 1];
  return last ? stripDirectives(messageText(last)) : '';
}

function wordsOf(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function schemaContext(request: ChatRequest, root: JsonSchema): SchemaContext {
  const text = lastUserText(request);
  return { root, seed: hashString(text), words: wordsOf(text) };
}

function nameWords(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The tool to call, or null when the answer should be text. */
function chooseTool(request: ChatRequest): FunctionTool | null {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === 'none') return null;
  if (typeof choice === 'object') return tools.find((tool) => tool.function.name === choice.function.name) ?? null;
  const lastRole = request.messages[request.messages.length - 1]?.role;
  if (lastRole === 'tool' && choice !== 'required') return null;
  const asked = new Set(nameWords(lastUserText(request)));
  let best = tools[0] ?? null;
  let bestScore = 0;
  for (const tool of tools) {
    const words = new Set(nameWords(`${tool.function.name} ${tool.function.description ?? ''}`));
    const score = [...words].filter((word) => asked.has(word)).length;
    if (score > bestScore) [best, bestScore] = [tool, score];
  }
  return best;
}

/** Breaks a valid value: drops a required property, or answers with the wrong type. */
function invalidate(value: unknown, schema: JsonSchema): unknown {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject) return { invalid: true };
  const droppable = (schema.required ?? []).find((key) => key in value);
  if (droppable === undefined) return 'invalid';
  const broken: Record<string, unknown> = { ...value };
  delete broken[droppable];
  return broken;
}

function textAnswer(request: ChatRequest, verbosity: number): string {
  const words = wordsOf(lastUserText(request));
  if (words.length === 0) return 'OK.';
  const count = Math.max(1, Math.round(BASE_TEXT_WORDS * verbosity));
  const answer = Array.from({ length: count }, (_, i) => words[i % words.length]);
  return `${answer.join(' ').replace(/[.,;:!?]+$/, '')}.`;
}

export function draftAnswer(request: ChatRequest, options: DraftOptions): AnswerDraft {
  const tool = chooseTool(request);
  if (tool) {
    const parameters = tool.function.parameters ?? { type: 'object', properties: {} };
    const args = generateValue(parameters, schemaContext(request, parameters));
    const id = `call_${hexId(`${JSON.stringify(request.messages)}:${tool.function.name}`, 24)}`;
    const toolCall: ToolCall = { id, type: 'function', function: { name: tool.function.name, arguments: JSON.stringify(args) } };
    return { content: null, toolCall };
  }
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    const schema = format.json_schema.schema ?? { type: 'object', properties: {} };
    const value = generateValue(schema, schemaContext(request, schema));
    return { content: JSON.stringify(options.invalidJson ? invalidate(value, schema) : value), toolCall: null };
  }
  if (format?.type === 'json_object') {
    const named = requestedObjectSchema(request.messages);
    const value = named ? generateValue(named, schemaContext(request, named)) : { answer: textAnswer(request, options.verbosity) };
    return { content: JSON.stringify(value), toolCall: null };
  }
  return { content: textAnswer(request, options.verbosity), toolCall: null };
}
