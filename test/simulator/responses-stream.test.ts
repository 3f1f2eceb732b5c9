import type { FunctionTool, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { post, tokens, useSimulator } from './helpers';
import { postResponse, streamEvents } from './responses-helpers';

const sim = useSimulator();
const model = 'gpt-5.4-nano';
const input = 'Stream me a sentence about the quiet river valley at dawn.';
const weatherTool: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

const TEXT_EVENTS = [
  'response.created',
  'response.in_progress',
  'response.output_item.added', // reasoning
  'response.output_item.done',
  'response.output_item.added', // message
  'response.content_part.added',
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
];

/** Event types with consecutive repeats collapsed, so the order can be compared whatever the delta count. */
function collapsed(events: { type: string }[]): string[] {
  return events.map((event) => event.type).filter((type, i, all) => type !== all[i - 1] || !type.endsWith('.delta'));
}

describe('streamed responses', () => {
  it('responses.stream: OpenAI event order, numbered from 0, deltas that add up, finalResponse() with usage', async () => {
    const client = sim.client();
    // An effort, so the stream has a reasoning item before the message.
    const whole = await client.responses.create({ model, input, reasoning: { effort: 'low' } });
    const stream = client.responses.stream({ model, input, reasoning: { effort: 'low' } });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();

    expect(collapsed(events)).toEqual(TEXT_EVENTS);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(whole.output_text);
    expect(final.output_text).toBe(whole.output_text);
    expect(final.usage).toEqual(whole.usage);
    expect(final.status).toBe('completed');
    const created = events[0] as Extract<ResponseStreamEvent, { type: 'response.created' }>;
    expect(created.response).toMatchObject({ id: final.id, status: 'in_progress', output: [] });
    expect(created.response.usage).toBeUndefined();
  });

  it('streams a function call as argument deltas, then the whole call', async () => {
    const response = await postResponse(sim.url, { model, input: 'weather in Lisbon please', tools: [weatherTool], stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await streamEvents(response);
    expect(collapsed(events).slice(2)).toEqual([
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const args = events.flatMap((event) => (event.type === 'response.function_call_arguments.delta' ? [event.delta as string] : [])).join('');
    expect(events.find((event) => event.type === 'response.function_call_arguments.done')).toMatchObject({ name: 'get_weather', arguments: args });
    const completed = events[events.length - 1] as unknown as { response: { output: { type: string; arguments?: string }[]; usage: { output_tokens: number } } };
    expect(completed.response.output[0]).toMatchObject({ type: 'function_call', arguments: args });
    expect(completed.response.usage.output_tokens).toBe(tokens(args));
  });

  it('ends a cut answer with response.incomplete', async () => {
    const events = await streamEvents(await postResponse(sim.url, { model, input, max_output_tokens: 20, stream: true }));
    expect(events[events.length - 1]).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  it('[[sim:usage=omit]]: the terminal event carries the response without usage', async () => {
    const events = await streamEvents(await postResponse(sim.url, { model, input: `${input} [[sim:usage=omit]]`, stream: true }));
    const terminal = events[events.length - 1] as unknown as { type: string; response: Record<string, unknown> };
    expect(terminal.type).toBe('response.completed');
    expect(terminal.response.status).toBe('completed');
    expect('usage' in terminal.response).toBe(false);
    const byHeader = await streamEvents(await postResponse(sim.url, { model, input, stream: true }, { 'x-sim-usage': 'omit' }));
    expect('usage' in (byHeader[byHeader.length - 1] as unknown as { response: object }).response).toBe(false);
  });

  it('[[sim:usage=omit]] in a chat stream: no usage chunk even with include_usage', async () => {
    const body = (content: string) => ({ model, messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true } });
    const chunks = async (response: Response) => (await response.text()).split('\n\n').filter((frame) => frame.startsWith('data: {'));
    const asked = await chunks(await post(sim.url, body('count me')));
    expect(asked.some((frame) => frame.includes('"prompt_tokens"'))).toBe(true);
    const omitted = await chunks(await post(sim.url, body('count me [[sim:usage=omit]]')));
    expect(omitted.some((frame) => frame.includes('"usage"'))).toBe(false);
    expect(omitted[omitted.length - 1]).toContain('"finish_reason":"stop"');
  });

  it('paces the text at x-sim-tokens-per-second, and keeps serving when a client leaves mid-stream', async () => {
    const body = { model, input: 'one two three four five six', reasoning: { effort: 'none' as const }, stream: true };
    const visible = tokens((await sim.client().responses.create({ ...body, stream: false })).output_text);
    const expectedMs = (visible / 100) * 1000;
    expect(expectedMs).toBeGreaterThan(200);
    const started = Date.now();
    const reader = (await postResponse(sim.url, body, { 'x-sim-tokens-per-second': '100' })).body!.getReader();
    const arrivals: number[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) arrivals.push(Date.now() - started);
    expect(arrivals[0]!).toBeLessThan(expectedMs / 2);
    expect(arrivals[arrivals.length - 1]!).toBeGreaterThanOrEqual(expectedMs - 20);

    const abort = new AbortController();
    const slow = (await postResponse(sim.url, body, { 'x-sim-tokens-per-second': '5' }, abort.signal)).body!.getReader();
    await slow.read();
    abort.abort();
    await expect(slow.read()).rejects.toThrow();
    expect((await postResponse(sim.url, { model, input: 'still here?' })).status).toBe(200);
  });
});
