import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { post, tokens, useSimulator } from './helpers';

const sim = useSimulator();

const messages = [{ role: 'user' as const, content: 'Stream me a sentence about the quiet river valley at dawn.' }];
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('streaming', () => {
  it('streams the same content as the JSON answer, in several deltas, with usage last when asked', async () => {
    const client = sim.client();
    const whole = await client.chat.completions.create({ model: 'gpt-5.4-nano', messages });
    const chunks = await collect(
      await client.chat.completions.create({ model: 'gpt-5.4-nano', messages, stream: true, stream_options: { include_usage: true } }),
    );

    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'gpt-5.4-nano')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const contentChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(2);
    expect(contentChunks.map((chunk) => chunk.choices[0]!.delta.content).join('')).toBe(whole.choices[0]!.message.content);

    const usageChunk = chunks[chunks.length - 1]!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(whole.usage);
    expect(usageChunk.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(usageChunk.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
    const finishChunk = chunks[chunks.length - 2]!;
    expect(finishChunk.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('sends no usage at all without include_usage', async () => {
    const chunks = await collect(await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', messages, stream: true }));
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(chunks[chunks.length - 1]!.choices[0]!.finish_reason).toBe('stop');
  });

  it('is real SSE ending with [DONE]', async () => {
    const response = await post(sim.url, { model: 'm', messages, stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-nanometer-simulator')).toBe('1');
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
  });

  it('streams tool call arguments in pieces, with id, type and name on the first', async () => {
    const chunks = await collect(
      await sim.client().chat.completions.create({
        model: 'gpt-5.4-nano',
        messages: [{ role: 'user', content: 'What is the weather like in San Francisco today?' }],
        tools: [weatherTool],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(pieces[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather' } });
    const argumentPieces = pieces.map((piece) => piece.function?.arguments ?? '').filter(Boolean);
    expect(argumentPieces.length).toBeGreaterThan(1);
    expect(pieces.slice(1).every((piece) => piece.index === 0 && piece.id === undefined)).toBe(true);
    const args = argumentPieces.join('');
    expect(Object.keys(JSON.parse(args)).sort()).toEqual(['city', 'unit']);
    expect(chunks[chunks.length - 2]!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(chunks[chunks.length - 1]!.usage?.completion_tokens).toBe(tokens(args));
  });
});
