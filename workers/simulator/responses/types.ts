/** The subset of OpenAI's Responses API the simulator reads and writes. */
import type { JsonSchema } from '../types';

export type TextPart = { type: string; text: string };

/** A function tool in the Responses shape (not nested under `function` as in Chat Completions). */
export type FunctionToolParam = {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: JsonSchema | null;
  strict?: boolean | null;
};

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean | null; description?: string };

export type ResponsesToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; name: string };

/** An input item as the caller sends it (validated, not yet given an id). */
export type InputItemParam =
  | { type?: 'message'; id?: string; role: string; content: string | TextPart[] }
  | { type: 'function_call'; id?: string; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; id?: string; call_id: string; output: string | TextPart[] }
  | { type: 'reasoning'; id?: string; summary?: TextPart[] }
  | { type: 'item_reference'; id: string };

export type ResponsesRequest = {
  model: string;
  input: string | InputItemParam[];
  instructions?: string;
  tools?: FunctionToolParam[];
  tool_choice?: ResponsesToolChoice;
  text?: { format?: TextFormat; verbosity?: string };
  max_output_tokens?: number;
  reasoning?: { effort?: string; summary?: string };
  prompt_cache_key?: string;
  service_tier?: string;
  store?: boolean;
  previous_response_id?: string;
  background?: boolean;
  stream?: boolean;
  metadata?: Record<string, string>;
  user?: string;
  safety_identifier?: string;
};

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type OutputText = { type: 'output_text'; text: string; annotations: []; logprobs: [] };

/** Items as OpenAI returns them (output items, and the stored input items), each with an id. */
export type MessageItem = {
  id: string;
  type: 'message';
  role: string;
  status: ItemStatus;
  content: (TextPart | OutputText)[];
};
export type FunctionCallItem = { id: string; type: 'function_call'; status: ItemStatus; call_id: string; name: string; arguments: string };
export type FunctionCallOutputItem = { id: string; type: 'function_call_output'; status: ItemStatus; call_id: string; output: string | TextPart[] };
export type ReasoningItem = { id: string; type: 'reasoning'; summary: TextPart[] };
export type Item = MessageItem | FunctionCallItem | FunctionCallOutputItem | ReasoningItem;

export type ResponseUsage = {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
};

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'incomplete' | 'cancelled';

/** The Response object on the wire. `usage` is absent until the response is done. */
export type ResponseObject = {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  incomplete_details: { reason: 'max_output_tokens' } | null;
  output: Item[];
  usage?: ResponseUsage;
  [field: string]: unknown;
};
