import { describe, expect, it } from 'vitest';
import { expectedPromptTokens, isValidAgainst, post, tokens, useSimulator } from './helpers';

const sim = useSimulator({ failRate: { 'gpt-5.4-flaky': 1 } });

const ticketSchema = {
  type: 'object',
  properties: {
    title: { type: 'string', minLength: 5, maxLength: 20 },
    priority: { type: 'string', enum: ['low', 'medium', 'high', 'urgent', 'blocker', 'trivial', 'minor', 'major'] },
    score: { type: 'number', minimum: 0, maximum: 1 },
    count: { type: 'integer', minimum: 3, maximum: 7 },
    odd: { type: 'integer', exclusiveMinimum: 10, exclusiveMaximum: 12 },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 2, maxItems: 3, uniqueItems: true },
    assignee: { type: ['string', 'null'] },
    due: { type: 'string', format: 'date' },
    contact: { anyOf: [{ $ref: '#/$defs/person' }, { type: 'null' }] },
    urgent: { type: 'boolean' },
  },
  required: ['title', 'priority', 'score', 'count', 'odd', 'tags', 'assignee', 'due', 'contact', 'urgent'],
  additionalProperties: false,
  $defs: {
    person: {
      type: 'object',
      properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } },
      required: ['name', 'email'],
      additionalProperties: false,
    },
  },
};

const format = { type: 'json_schema' as const, json_schema: { name: 'ticket', schema: ticketSchema, strict: true } };

async function extract(text: string, model = 'gpt-5.4-nano', headers: Record<string, string> = {}) {
  const completion = await sim
    .client()
    .chat.completions.create({ model, response_format: format, messages: [{ role: 'user', content: text }] }, { headers });
  return { completion, value: JSON.parse(completion.choices[0]!.message.content!) as Record<string, unknown> };
}

describe('json_schema answers', () => {
  it('are valid against the schema and counted with the schema in the prompt', async () => {
    const text = 'The login page crashes on Safari when the password has emoji.';
    const { completion, value } = await extract(text);
    expect(isValidAgainst(ticketSchema, value)).toBe(true);
    expect(Object.keys(value).sort()).toEqual([...ticketSchema.required].sort());
    expect(value.odd).toBe(11);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBe(expectedPromptTokens([text], [ticketSchema]));
    expect(completion.usage?.completion_tokens).toBe(tokens(completion.choices[0]!.message.content!));
  });

  it('pick enum values from the input, deterministically', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => `Ticket number ${i} about something else entirely`);
    const first = await Promise.all(inputs.map(async (text) => (await extract(text)).value.priority));
    const again = await Promise.all(inputs.map(async (text) => (await extract(text)).value.priority));
    expect(again).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('are deliberately invalid at failRate 1 (option or header) and valid at 0', async () => {
    const flaky = await extract('Flaky model answer', 'gpt-5.4-flaky');
    expect(isValidAgainst(ticketSchema, flaky.value)).toBe(false);
    expect(Object.keys(flaky.value)).not.toContain('title');

    const byHeader = await extract('Header fail rate', 'gpt-5.4-nano', { 'x-sim-fail-rate': '1' });
    expect(isValidAgainst(ticketSchema, byHeader.value)).toBe(false);
    const overridden = await extract('Header fail rate', 'gpt-5.4-flaky', { 'x-sim-fail-rate': '0' });
    expect(isValidAgainst(ticketSchema, overridden.value)).toBe(true);
  });

  it('fail at a fractional rate for some requests only', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => isValidAgainst(ticketSchema, (await extract(`case ${i}`, 'm', { 'x-sim-fail-rate': '0.5' })).value)),
    );
    expect(results).toContain(true);
    expect(results).toContain(false);
  });

  it('json_object gives a JSON object', async () => {
    const completion = await sim.client().chat.completions.create({
      model: 'gpt-5.4-nano',
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'Reply in JSON.' }],
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: expect.stringContaining('Reply in JSON') });
  });

  it('json_object answers the keys the prompt names: a number from 0 to 1 for a confidence, strings otherwise', async () => {
    const keyed = async (system: string, user = 'I was charged twice this month') =>
      JSON.parse(
        (
          await sim.client().chat.completions.create({
            model: 'gpt-5.4-nano',
            response_format: { type: 'json_object' },
            messages: [{ role: 'system', content: system }, { role: 'user', content: user }],
          })
        ).choices[0]!.message.content!,
      ) as Record<string, unknown>;
    const prompts = [
      'Classify it. Answer in JSON: {intent, confidence, sub_category}',
      'Classify it. Answer in JSON like {"intent": "billing, shipping or other", "confidence": 0.9, "sub_category": null}',
      'Classify it. Answer with a JSON object with the keys: intent, confidence and sub_category. Nothing else.',
      'Classify it as JSON {intent: string, confidence: number, sub_category: string}',
    ];
    for (const system of prompts) {
      const value = await keyed(system);
      expect(Object.keys(value), system).toEqual(['intent', 'confidence', 'sub_category']);
      expect(value.confidence, system).toBeGreaterThanOrEqual(0);
      expect(value.confidence, system).toBeLessThanOrEqual(1);
      expect(typeof value.intent, system).toBe('string');
      expect(typeof value.sub_category, system).toBe('string');
      expect(await keyed(system), system).toEqual(value);
    }
    expect(await keyed('Reply in JSON. Mind the {curly braces} in prose.')).toEqual({ answer: expect.any(String) });
  });
});

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'send_email',
      description: 'Send an email message to a recipient',
      parameters: {
        type: 'object',
        properties: { to: { type: 'string', format: 'email' }, subject: { type: 'string', maxLength: 30 }, body: { type: 'string' } },
        required: ['to', 'subject', 'body'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'integer', minimum: 1, maximum: 5 },
        },
        required: ['city', 'unit', 'days'],
        additionalProperties: false,
      },
    },
  },
];

describe('tool calls', () => {
  it('pick the tool sharing most words with the request, with schema-valid arguments', async () => {
    const text = 'What is the weather in Lisbon this week?';
    const completion = await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', tools, messages: [{ role: 'user', content: text }] });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    expect(call.id).toMatch(/^call_/);
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(isValidAgainst(tools[1]!.function.parameters, JSON.parse(call.function.arguments))).toBe(true);
    expect(completion.usage?.prompt_tokens).toBe(expectedPromptTokens([text], [tools]));
    expect(completion.usage?.completion_tokens).toBe(tokens(call.function.arguments));
  });

  it('honour a named tool_choice and tool_choice none', async () => {
    const messages = [{ role: 'user' as const, content: 'What is the weather in Lisbon?' }];
    const forced = await sim.client().chat.completions.create({
      model: 'gpt-5.4-nano',
      tools,
      tool_choice: { type: 'function', function: { name: 'send_email' } },
      messages,
    });
    const call = forced.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('send_email');
    expect(isValidAgainst(tools[0]!.function.parameters, JSON.parse(call.function.arguments))).toBe(true);

    const none = await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', tools, tool_choice: 'none', messages });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
    expect(none.choices[0]!.finish_reason).toBe('stop');
    expect(none.choices[0]!.message.content).toBeTruthy();
  });

  it('answer with text after a tool result unless a call is required', async () => {
    const messages = [
      { role: 'user' as const, content: 'What is the weather in Lisbon?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: '{"temp":21}' },
    ];
    const completion = await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', tools, messages });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.choices[0]!.message.content).toBeTruthy();
  });

  it('reject a tool_choice naming an unknown tool', async () => {
    const response = await post(sim.url, {
      model: 'gpt-5.4-nano',
      tools,
      tool_choice: { type: 'function', function: { name: 'nope' } },
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'tool_choice' } });
  });
});
