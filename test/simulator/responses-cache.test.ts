import type { ResponseCreateParamsNonStreaming } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { expectedPromptTokens, longText, tokens, useSimulator } from './helpers';

const sim = useSimulator();
const model = 'gpt-5.4-nano';

/** The longest cacheable prefix length (1024 + k·128) not above n, or 0. */
function cacheable(n: number): number {
  return n < 1024 ? 0 : 1024 + Math.floor((n - 1024) / 128) * 128;
}

async function usage(params: Omit<ResponseCreateParamsNonStreaming, 'model'>) {
  const response = await sim.client().responses.create({ model, ...params });
  const { input_tokens, input_tokens_details } = response.usage!;
  return { response, input: input_tokens, cached: input_tokens_details.cached_tokens, written: input_tokens_details.cache_write_tokens };
}

describe('prompt cache on /v1/responses', () => {
  it('a repeated long prefix is cached in 128-token steps from 1024; what was new is written', async () => {
    const instructions = longText(700, 'rules');
    expect(tokens(instructions)).toBeGreaterThan(1100);
    const first = await usage({ instructions, input: 'question one' });
    expect(first).toMatchObject({ cached: 0, written: cacheable(first.input) });
    const second = await usage({ instructions, input: 'question two, longer than the first' });
    // Shared: the instructions message and the framing of the user message.
    const shared = 3 + tokens(instructions) + 3;
    expect(second.cached).toBe(cacheable(shared));
    expect(second.written).toBe(cacheable(second.input) - second.cached);
  });

  it('is scoped by prompt_cache_key, as for chat', async () => {
    const instructions = longText(720, 'scoped');
    await usage({ instructions, input: 'q', prompt_cache_key: 'tenant-a' });
    expect((await usage({ instructions, input: 'q', prompt_cache_key: 'tenant-b' })).cached).toBe(0);
    expect((await usage({ instructions, input: 'q', prompt_cache_key: 'tenant-a' })).cached).toBeGreaterThanOrEqual(1024);
  });

  it('previous_response_id puts the earlier input and output first: input tokens that hit the cache', async () => {
    const context = longText(650, 'doc');
    const first = await usage({ input: context, reasoning: { effort: 'none' } });
    const second = await usage({ input: 'Summarize that.', previous_response_id: first.response.id });
    expect(second.input).toBe(expectedPromptTokens([context, first.response.output_text, 'Summarize that.']));
    // The first prompt less its 3 reply-priming tokens is the shared prefix.
    expect(second.cached).toBe(cacheable(first.input - 3));
    expect(second.cached).toBeGreaterThanOrEqual(1024);
  });
});
