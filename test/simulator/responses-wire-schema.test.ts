import { describe, expect, it } from 'vitest';
import { openaiSchemaErrors, type OpenAISchemaName } from '../support/openai-schemas';
import { longText, useSimulator } from './helpers';
import { postResponse, streamEvents } from './responses-helpers';

const sim = useSimulator({ backgroundMs: 60_000 });
const model = 'gpt-5.4-nano';
const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

/** Each event type the simulator sends, and its own schema in OpenAI's description. */
const EVENT_SCHEMAS: Record<string, OpenAISchemaName> = {
  'response.created': 'ResponseCreatedEvent',
  'response.in_progress': 'ResponseInProgressEvent',
  'response.output_item.added': 'ResponseOutputItemAddedEvent',
  'response.output_item.done': 'ResponseOutputItemDoneEvent',
  'response.content_part.added': 'ResponseContentPartAddedEvent',
  'response.content_part.done': 'ResponseContentPartDoneEvent',
  'response.output_text.delta': 'ResponseTextDeltaEvent',
  'response.output_text.done': 'ResponseTextDoneEvent',
  'response.function_call_arguments.delta': 'ResponseFunctionCallArgumentsDeltaEvent',
  'response.function_call_arguments.done': 'ResponseFunctionCallArgumentsDoneEvent',
  'response.completed': 'ResponseCompletedEvent',
  'response.incomplete': 'ResponseIncompleteEvent',
};

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

const requests = {
  text: { model, input: 'Hello there, how are you?', instructions: 'Be kind.', service_tier: 'flex', metadata: { team: 'search' }, user: 'u1' },
  cached: { model, instructions: longText(700), input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], prompt_cache_key: 'k' },
  json: {
    model,
    input: 'Extract it',
    text: { format: { type: 'json_schema', name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false } } },
  },
  tool: { model, input: 'weather in Lisbon', tools: [weatherTool], tool_choice: { type: 'function', name: 'get_weather' }, reasoning: { effort: 'low' } },
  incomplete: { model, input: 'cut me short', max_output_tokens: 16 },
  unmetered: { model, input: 'no usage please [[sim:usage=omit]]' },
};

describe("the simulator's Responses answers fit OpenAI's published schemas", () => {
  for (const [kind, body] of Object.entries(requests)) {
    it(`${kind}: a Response, every stream event a ResponseStreamEvent and its own event schema`, async () => {
      expect(openaiSchemaErrors('Response', await json(await postResponse(sim.url, body)))).toEqual([]);
      const events = await streamEvents(await postResponse(sim.url, { ...body, stream: true }));
      expect(events.length).toBeGreaterThan(3);
      for (const event of events) {
        expect(openaiSchemaErrors('ResponseStreamEvent', event), event.type).toEqual([]);
        expect(EVENT_SCHEMAS[event.type], event.type).toBeDefined();
        expect(openaiSchemaErrors(EVENT_SCHEMAS[event.type]!, event), event.type).toEqual([]);
      }
    });
  }

  it('a tool round trip: the follow-up Response, and its input items a ResponseItemList of every item kind', async () => {
    const first = await json(await postResponse(sim.url, requests.tool));
    const call = (first.output as { type: string; call_id: string }[]).find((item) => item.type === 'function_call')!;
    const followUp = {
      model,
      previous_response_id: first.id,
      input: [
        { type: 'function_call_output', call_id: call.call_id, output: '{"temperature":21}' },
        { role: 'assistant', content: [{ type: 'input_text', text: 'Noted.' }] },
        { role: 'developer', content: [{ type: 'input_text', text: 'Be brief.' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thought it over.' }] },
      ],
    };
    const second = await json(await postResponse(sim.url, followUp));
    expect(openaiSchemaErrors('Response', second)).toEqual([]);
    const items = await json(await fetch(`${sim.url}/responses/${second.id}/input_items?limit=100`));
    expect((items.data as { type: string }[]).map((item) => item.type).sort()).toEqual(
      ['function_call', 'function_call_output', 'message', 'message', 'message', 'reasoning', 'reasoning'].sort(),
    );
    expect(openaiSchemaErrors('ResponseItemList', items)).toEqual([]);
    expect(openaiSchemaErrors('ResponseItemList', await json(await fetch(`${sim.url}/responses/${second.id}/input_items?after=${(items as { last_id: string }).last_id}`)))).toEqual([]);
  });

  it('retrieve, a queued background response and its cancellation are Responses; errors are ErrorResponse', async () => {
    const stored = await json(await postResponse(sim.url, requests.text));
    expect(openaiSchemaErrors('Response', await json(await fetch(`${sim.url}/responses/${stored.id}`)))).toEqual([]);
    const queued = await json(await postResponse(sim.url, { ...requests.text, background: true }));
    expect(queued.status).toBe('queued');
    expect(openaiSchemaErrors('Response', queued)).toEqual([]);
    const cancelled = await json(await fetch(`${sim.url}/responses/${queued.id}/cancel`, { method: 'POST' }));
    expect(cancelled.status).toBe('cancelled');
    expect(openaiSchemaErrors('Response', cancelled)).toEqual([]);
    for (const error of [
      await fetch(`${sim.url}/responses/resp_missing`),
      await fetch(`${sim.url}/responses/${stored.id}/cancel`, { method: 'POST' }),
      await postResponse(sim.url, { model, input: [] }),
    ]) {
      expect(openaiSchemaErrors('ErrorResponse', await json(error))).toEqual([]);
    }
  });

  it("deletion answers the object of OpenAI's documented example (the description gives it no schema)", async () => {
    const stored = await json(await postResponse(sim.url, requests.text));
    const deleted = await json(await fetch(`${sim.url}/responses/${stored.id}`, { method: 'DELETE' }));
    expect(deleted).toEqual({ id: stored.id, object: 'response', deleted: true });
  });

  it('a schema check that can fail: a broken Response, event or item list is refused', async () => {
    const response = await json(await postResponse(sim.url, requests.text));
    expect(openaiSchemaErrors('Response', { ...response, status: 'done' }).length).toBeGreaterThan(0);
    expect(openaiSchemaErrors('Response', { ...response, usage: null }).length).toBeGreaterThan(0);
    const { output: _output, ...withoutOutput } = response;
    expect(openaiSchemaErrors('Response', withoutOutput).length).toBeGreaterThan(0);
    const [created] = await streamEvents(await postResponse(sim.url, { ...requests.text, stream: true }));
    const { sequence_number: _sequence, ...unnumbered } = created!;
    expect(openaiSchemaErrors('ResponseCreatedEvent', unnumbered).length).toBeGreaterThan(0);
    expect(openaiSchemaErrors('ResponseItemList', { object: 'list', data: [{ type: 'message', role: 'user', content: 'x' }], has_more: false }).length).toBeGreaterThan(0);
  });
});
