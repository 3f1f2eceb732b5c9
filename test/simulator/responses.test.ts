import { zodTextFormat } from 'openai/helpers/zod';
import type { FunctionTool, ResponseFunctionToolCall } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expectedPromptTokens, isValidAgainst, tokens, useSimulator } from './helpers';
import { postResponse } from './responses-helpers';

const sim = useSimulator();
const model = 'gpt-5.4-nano';

const weatherTool: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};

describe('POST /v1/responses', () => {
  it('answers a string input with a message and no reasoning (effort none, the default), usage counted by the documented rule', async () => {
    const input = 'Tell me about the quiet river valley at dawn.';
    const instructions = 'Answer in one short paragraph.';
    const response = await sim.client().responses.create({ model, input, instructions });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model, instructions, error: null, incomplete_details: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.reasoning?.effort).toBe('none');
    expect(response.output.map((item) => item.type)).toEqual(['message']);
    expect(response.output_text).toContain('quiet river valley');
    const output = tokens(response.output_text);
    const input_tokens = expectedPromptTokens([instructions, input]);
    expect(response.usage).toEqual({
      input_tokens,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input_tokens + output,
    });
  });

  it('reads a list of messages with string and input_text content (parts joined by a newline)', async () => {
    const response = await sim.client().responses.create({
      model,
      input: [
        { role: 'system', content: 'You classify tickets.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'first part' }, { type: 'input_text', text: 'second part' }] },
      ],
    });
    expect(response.usage?.input_tokens).toBe(expectedPromptTokens(['You classify tickets.', 'first part\nsecond part']));
    expect(response.output_text).toMatch(/^first part second part/);
  });

  it('reasons by reasoning.effort (times the model verbosity); none gives no reasoning item', async () => {
    const reasoning = async (effort: 'none' | 'low' | 'high', name = model) => {
      const response = await sim.client().responses.create({ model: name, input: 'Think about it', reasoning: { effort } });
      return { tokens: response.usage?.output_tokens_details.reasoning_tokens, types: response.output.map((item) => item.type) };
    };
    expect(await reasoning('none')).toEqual({ tokens: 0, types: ['message'] });
    expect(await reasoning('low')).toEqual({ tokens: 64, types: ['reasoning', 'message'] });
    expect(await reasoning('high')).toEqual({ tokens: 512, types: ['reasoning', 'message'] });
    expect((await reasoning('low', 'gpt-5.4-mini')).tokens).toBe(Math.round(64 * 1.6));
  });

  it('without an effort, a small max_output_tokens is all answer', async () => {
    const text = { format: { type: 'json_object' as const } };
    const response = await sim.client().responses.create({ model, instructions: 'Reply in JSON with keys: label, confidence.', input: 'Where is my parcel?', text, max_output_tokens: 16 });
    expect(response.status).toBe('completed');
    expect(response.output.map((item) => item.type)).toEqual(['message']);
    expect(Object.keys(JSON.parse(response.output_text))).toEqual(['label', 'confidence']);
    expect(response.usage).toMatchObject({ output_tokens: tokens(response.output_text), output_tokens_details: { reasoning_tokens: 0 } });
    expect(response.usage!.output_tokens).toBeLessThanOrEqual(16);
  });

  it('max_output_tokens caps reasoning plus output: the answer is incomplete, for max_output_tokens', async () => {
    const reasoning = { effort: 'medium' as const };
    const cut = await sim.client().responses.create({ model, input: 'one two three four five six seven eight nine ten', reasoning, max_output_tokens: 200 });
    expect(cut.status).toBe('incomplete');
    expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(cut.usage?.output_tokens).toBe(200);
    expect(tokens(cut.output_text)).toBe(200 - 192);
    expect(cut.output[1]).toMatchObject({ type: 'message', status: 'incomplete' });

    const allReasoning = await sim.client().responses.create({ model, input: 'anything at all', reasoning, max_output_tokens: 16 });
    expect(allReasoning.output.map((item) => item.type)).toEqual(['reasoning']);
    expect(allReasoning.usage?.output_tokens_details.reasoning_tokens).toBe(16);
  });

  it('responses.parse with zodTextFormat: schema-valid output, parsed by the SDK; the schema counts as input', async () => {
    const Ticket = z.object({ title: z.string(), priority: z.enum(['low', 'medium', 'high']), tags: z.array(z.string()), estimate: z.number().int() });
    const format = zodTextFormat(Ticket, 'ticket');
    const input = 'The checkout page times out when the cart has more than fifty items.';
    const response = await sim.client().responses.parse({ model, input, text: { format } });
    expect(Ticket.safeParse(response.output_parsed).success).toBe(true);
    expect(isValidAgainst(format.schema, JSON.parse(response.output_text))).toBe(true);
    expect(response.usage?.input_tokens).toBe(expectedPromptTokens([input], [format.schema]));
  });

  it('[[sim:fail_rate=1]] breaks a json_schema answer, as for chat', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a', 'b'], additionalProperties: false };
    const text = { format: { type: 'json_schema' as const, name: 'pair', schema, strict: true } };
    const valid = await sim.client().responses.create({ model, input: 'Make a pair', text });
    expect(isValidAgainst(schema, JSON.parse(valid.output_text))).toBe(true);
    const broken = await sim.client().responses.create({ model, input: 'Make a pair [[sim:fail_rate=1]]', text });
    expect(isValidAgainst(schema, JSON.parse(broken.output_text))).toBe(false);
  });

  it('json_object answers a JSON object', async () => {
    const response = await sim.client().responses.create({ model, input: 'Reply in json please', text: { format: { type: 'json_object' } } });
    expect(JSON.parse(response.output_text)).toEqual({ answer: expect.stringContaining('Reply in json please') });
  });

  it('a function tool round trip: function_call, then function_call_output with previous_response_id', async () => {
    const client = sim.client();
    const input = 'What is the weather in Lisbon?';
    const first = await client.responses.create({ model, input, tools: [weatherTool] });
    const call = first.output.find((item): item is ResponseFunctionToolCall => item.type === 'function_call');
    expect(call).toMatchObject({ name: 'get_weather', status: 'completed', call_id: expect.stringMatching(/^call_/), id: expect.stringMatching(/^fc_/) });
    expect(Object.keys(JSON.parse(call!.arguments)).sort()).toEqual(['city', 'unit']);
    expect(first.usage?.input_tokens).toBe(expectedPromptTokens([input], [[weatherTool]]));
    expect(first.usage?.output_tokens).toBe(tokens(call!.arguments));

    const result = JSON.stringify({ temperature: 21, unit: 'celsius' });
    const second = await client.responses.create({
      model,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call!.call_id, output: result }],
      tools: [weatherTool],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output.map((item) => item.type)).toEqual(['message']);
    // The earlier input, its function call (name and arguments) and the tool's output, in order.
    expect(second.usage?.input_tokens).toBe(expectedPromptTokens([input, `get_weather\n${call!.arguments}`, result], [[weatherTool]]));
  });

  it('tool_choice: none answers text, a named function is called, required calls even after a tool output', async () => {
    const tools = [weatherTool, { ...weatherTool, name: 'get_time', description: 'Local time' }];
    const types = async (tool_choice: 'none' | 'required' | { type: 'function'; name: string }, input = 'weather in Oslo') =>
      (await sim.client().responses.create({ model, input, tools, tool_choice, reasoning: { effort: 'none' } })).output.map((item) =>
        item.type === 'function_call' ? item.name : item.type,
      );
    expect(await types('none')).toEqual(['message']);
    expect(await types({ type: 'function', name: 'get_time' })).toEqual(['get_time']);
    expect(await types('required', [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }] as never)).toEqual(['get_weather']);
  });

  it('reports the service tier as tiers.ts does: fast as priority, auto as default, forced by directive', async () => {
    const tier = async (service_tier: string | undefined, input = 'which tier?') =>
      ((await (await postResponse(sim.url, { model, input, service_tier })).json()) as { service_tier: string }).service_tier;
    expect(await tier(undefined)).toBe('default');
    expect(await tier('flex')).toBe('flex');
    expect(await tier('fast')).toBe('priority');
    expect(await tier('auto', 'serve me [[sim:tier=scale]]')).toBe('scale');
  });
});
