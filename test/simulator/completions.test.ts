import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { expectedPromptTokens, post, tokens, useSimulator } from './helpers';

const sim = useSimulator();

describe('plain completions', () => {
  it('answers in the Chat Completions wire format with exact o200k usage', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Tell me about the Eiffel Tower in Paris, please.' },
    ];
    const completion = await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', messages });

    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-5.4-nano');
    expect(typeof completion.created).toBe('number');
    expect(completion.system_fingerprint).toBeTruthy();
    const choice = completion.choices[0]!;
    expect(choice).toMatchObject({ index: 0, finish_reason: 'stop', logprobs: null });
    expect(choice.message).toMatchObject({ role: 'assistant', refusal: null });
    const content = choice.message.content!;
    expect(content.startsWith('Tell me about the Eiffel Tower')).toBe(true);

    expect(completion.usage).toEqual({
      prompt_tokens: expectedPromptTokens(messages.map((m) => m.content)),
      completion_tokens: tokens(content),
      total_tokens: expectedPromptTokens(messages.map((m) => m.content)) + tokens(content),
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it('counts text parts of array contents', async () => {
    const parts = [{ type: 'text' as const, text: 'First part.' }, { type: 'text' as const, text: 'Second part here.' }];
    const completion = await sim.client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: parts }] });
    expect(completion.usage?.prompt_tokens).toBe(tokens('First part.\nSecond part here.') + 6);
  });

  it('maps reasoning_effort to reasoning tokens inside completion_tokens', async () => {
    const efforts = { none: 0, minimal: 16, low: 64, medium: 192, high: 512, xhigh: 1024 } as const;
    for (const [effort, reasoning] of Object.entries(efforts)) {
      const completion = await sim.client().chat.completions.create({
        model: 'gpt-5.4-nano',
        reasoning_effort: effort as keyof typeof efforts,
        messages: [{ role: 'user', content: 'Count my reasoning.' }],
      });
      const visible = tokens(completion.choices[0]!.message.content!);
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(reasoning);
      expect(completion.usage?.completion_tokens).toBe(visible + reasoning);
    }
  });

  it('reasons only when asked, as gpt-5.4-nano: by default a small max_tokens is all answer; an effort spends it first', async () => {
    const body = {
      model: 'gpt-5.4-nano',
      max_tokens: 20,
      response_format: { type: 'json_object' as const },
      messages: [
        { role: 'system' as const, content: 'Route the message. Reply in JSON: {"route": "...", "confidence": 0.0}' },
        { role: 'user' as const, content: 'Where is my parcel?' },
      ],
    };
    const plain = await sim.client().chat.completions.create(body);
    const content = plain.choices[0]!.message.content!;
    expect(plain.choices[0]!.finish_reason).toBe('stop');
    expect(Object.keys(JSON.parse(content))).toEqual(['route', 'confidence']);
    expect(plain.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
    expect(plain.usage?.completion_tokens).toBe(tokens(content));
    expect(plain.usage!.completion_tokens).toBeLessThanOrEqual(20);

    const thought = await sim.client().chat.completions.create({ ...body, reasoning_effort: 'low' });
    expect(thought.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: '' } });
    expect(thought.usage).toMatchObject({ completion_tokens: 20, completion_tokens_details: { reasoning_tokens: 20 } });
  });

  it('caps reasoning plus answer at max_completion_tokens with finish_reason length', async () => {
    const completion = await sim.client().chat.completions.create({
      model: 'gpt-5.4-nano',
      reasoning_effort: 'medium',
      max_completion_tokens: 200,
      messages: [{ role: 'user', content: 'Please write a very long story about dragons and castles.' }],
    });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(192);
    expect(completion.usage?.completion_tokens).toBe(192 + tokens(completion.choices[0]!.message.content!));
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(200);
    expect(tokens(completion.choices[0]!.message.content!)).toBeGreaterThan(0);
  });

  it('makes gpt-5.4-mini more verbose than gpt-5.4-nano', async () => {
    const ask = async (model: string) =>
      (await sim.client().chat.completions.create({ model, messages: [{ role: 'user', content: 'one two three' }] })).choices[0]!
        .message.content!.split(' ').length;
    expect(await ask('gpt-5.4-nano')).toBe(24);
    expect(await ask('gpt-5.4-mini')).toBe(38);
  });

  it('is deterministic: the same request gives the same answer and usage', async () => {
    const body = { model: 'gpt-5.4-nano', messages: [{ role: 'user' as const, content: 'Same question twice.' }] };
    const first = await sim.client().chat.completions.create(body);
    const second = await sim.client().chat.completions.create(body);
    expect(second.choices).toEqual(first.choices);
    expect(second.usage).toEqual(first.usage);
  });
});

describe('protocol', () => {
  it('lists models and marks every response with x-nanometer-simulator', async () => {
    const response = await fetch(`${sim.url}/models`);
    expect(response.headers.get('x-nanometer-simulator')).toBe('1');
    const ids = ((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-5.4-nano', 'gpt-5.4-mini']));

    const ok = await post(sim.url, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.headers.get('x-nanometer-simulator')).toBe('1');
  });

  it('answers 404 in the OpenAI error shape for unknown paths', async () => {
    const response = await fetch(`${sim.url}/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-nanometer-simulator')).toBe('1');
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unknown_url' } });
  });

  it('rejects a missing or invalid body with a 400 invalid_request_error', async () => {
    const noMessages = await post(sim.url, { model: 'gpt-5.4-nano' });
    expect(noMessages.status).toBe(400);
    expect(noMessages.headers.get('x-nanometer-simulator')).toBe('1');
    expect(await noMessages.json()).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: 'messages', code: null },
    });

    const notJson = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');

    const error = await sim
      .client()
      .chat.completions.create({ model: '', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).param).toBe('model');
  });
});
