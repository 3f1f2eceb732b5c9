import { describe, expect, it } from 'vitest';
import { openaiSchemaErrors } from '../support/openai-schemas';
import { longText, post, useSimulator } from './helpers';

const sim = useSimulator();

/** SSE `data:` payloads of a stream, [DONE] left out. */
async function events(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => block.replace(/^data: /, '').trim())
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data));
}

describe("the simulator's Chat Completions answers fit OpenAI's published schemas", () => {
  const requests = {
    text: { model: 'gpt-5.4-nano', messages: [{ role: 'user', content: 'Hello there, how are you?' }], service_tier: 'flex' },
    cached: { model: 'gpt-5.4-nano', messages: [{ role: 'system', content: longText(700) }, { role: 'user', content: 'hi' }] },
    json: {
      model: 'gpt-5.4-nano',
      messages: [{ role: 'user', content: 'Extract it' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false } } },
    },
    tool: {
      model: 'gpt-5.4-nano',
      messages: [{ role: 'user', content: 'weather in Lisbon' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    },
  };

  for (const [kind, body] of Object.entries(requests)) {
    it(`${kind}: CreateChatCompletionResponse, and every chunk a CreateChatCompletionStreamResponse`, async () => {
      const whole = await (await post(sim.url, body)).json();
      expect(openaiSchemaErrors('CreateChatCompletionResponse', whole)).toEqual([]);
      const chunks = await events(await post(sim.url, { ...body, stream: true, stream_options: { include_usage: true } }));
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) expect(openaiSchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
    });
  }

  it('a schema check that can fail: a completion without choices is refused', async () => {
    const whole = (await (await post(sim.url, requests.text)).json()) as { choices?: unknown };
    delete whole.choices;
    expect(openaiSchemaErrors('CreateChatCompletionResponse', whole).length).toBeGreaterThan(0);
  });

  it('errors are ErrorResponse; the model list is ListModelsResponse', async () => {
    const error = await (await post(sim.url, { model: 'gpt-5.4-nano', messages: [] })).json();
    expect(openaiSchemaErrors('ErrorResponse', error)).toEqual([]);
    const models = await (await fetch(`${sim.url}/models`)).json();
    expect(openaiSchemaErrors('ListModelsResponse', models)).toEqual([]);
  });
});
