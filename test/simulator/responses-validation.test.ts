import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers';
import { postResponse } from './responses-helpers';

const sim = useSimulator();
const base = { model: 'gpt-5.4-nano', input: 'hello' };
const tool = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false };

describe('POST /v1/responses refuses what it cannot read, in OpenAI error shape, naming the param', () => {
  it.each([
    ['model', { input: 'hello' }],
    ['input', { model: 'gpt-5.4-nano' }],
    ['input', { ...base, input: [] }],
    ['input[0].role', { ...base, input: [{ role: 'robot', content: 'x' }] }],
    ['input[0].content[0].type', { ...base, input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] }],
    ['input[1].call_id', { ...base, input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', output: 'x' }] }],
    ['input[0].type', { ...base, input: [{ type: 'web_search_call', id: 'ws_1' }] }],
    ['input[0].summary', { ...base, input: [{ type: 'reasoning', id: 'rs_1', summary: 'thought hard' }] }],
    ['instructions', { ...base, instructions: 7 }],
    ['tools[0].type', { ...base, tools: [{ type: 'web_search' }] }],
    ['tools[0].name', { ...base, tools: [{ type: 'function', parameters: {} }] }],
    ['tool_choice', { ...base, tools: [tool], tool_choice: { type: 'function', name: 'nope' } }],
    ['text.format.type', { ...base, text: { format: { type: 'xml' } } }],
    ['text.format.schema', { ...base, text: { format: { type: 'json_schema', name: 'x' } } }],
    ['text.format.name', { ...base, text: { format: { type: 'json_schema', schema: { type: 'object' } } } }],
    ['max_output_tokens', { ...base, max_output_tokens: 15 }],
    ['max_output_tokens', { ...base, max_output_tokens: 'many' }],
    ['reasoning.effort', { ...base, reasoning: { effort: 'enormous' } }],
    ['service_tier', { ...base, service_tier: 'gold' }],
    ['metadata', { ...base, metadata: { count: 3 } }],
    ['store', { ...base, store: 'yes' }],
    ['safety_identifier', { ...base, safety_identifier: 'x'.repeat(65) }],
    ['background', { ...base, background: true, store: false }],
    ['stream', { ...base, background: true, stream: true }],
  ])('%s', async (param, body) => {
    const response = await postResponse(sim.url, body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ type: 'invalid_request_error', param, message: expect.any(String) });
  });

  it('an unknown previous_response_id is previous_response_not_found', async () => {
    const response = await postResponse(sim.url, { ...base, previous_response_id: 'resp_unknown' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: "Previous response with id 'resp_unknown' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' },
    });
  });

  it('an unknown item_reference names the item', async () => {
    const response = await postResponse(sim.url, { ...base, input: [{ type: 'item_reference', id: 'msg_unknown' }] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('input[0].id');
  });

  it('accepts what it only reports back: user, safety_identifier, metadata, and nulls as absent', async () => {
    const body = { ...base, user: 'user-1', safety_identifier: 'hashed-1', metadata: { team: 'search' }, temperature: null, store: null };
    const response = await postResponse(sim.url, body);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nanometer-simulator')).toBe('1');
    expect(await response.json()).toMatchObject({ user: 'user-1', safety_identifier: 'hashed-1', metadata: { team: 'search' }, store: true });
  });
});
