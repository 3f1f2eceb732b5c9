import { describe, expect, it } from 'vitest';
import { PromptCache } from '../../workers/simulator/cache';
import { longText, tokens, useSimulator } from './helpers';

let clock = 1_800_000_000_000;
const sim = useSimulator({ now: () => clock, cacheTtlMs: 60_000 });

/** The longest cacheable prefix length (1024 + k·128) not above n, or 0. */
function cacheable(n: number): number {
  return n < 1024 ? 0 : 1024 + Math.floor((n - 1024) / 128) * 128;
}

async function cachedTokens(model: string, system: string, user: string, promptCacheKey?: string) {
  const completion = await sim.client().chat.completions.create({
    model,
    prompt_cache_key: promptCacheKey,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
  });
  const details = completion.usage!.prompt_tokens_details as { cached_tokens: number; cache_write_tokens: number };
  return { prompt: completion.usage!.prompt_tokens, cached: details.cached_tokens, written: details.cache_write_tokens };
}

describe('prompt cache', () => {
  const system = longText(700, 'sys');

  it('reuses a long prompt in 128-token steps from 1024, and never caches a short one', async () => {
    expect(tokens(system)).toBeGreaterThan(1100);
    const first = await cachedTokens('gpt-5.4-nano', system, 'question one');
    expect(first.cached).toBe(0);
    expect(first.written).toBe(cacheable(first.prompt));
    const second = await cachedTokens('gpt-5.4-nano', system, 'question one');
    expect(second.cached).toBe(cacheable(second.prompt));
    expect(second.written).toBe(0);
    expect(second.cached % 128).toBe(0);
    expect(second.cached).toBeGreaterThanOrEqual(1024);

    expect((await cachedTokens('gpt-5.4-nano', 'short system', 'short question')).written).toBe(0);
    expect((await cachedTokens('gpt-5.4-nano', 'short system', 'short question')).cached).toBe(0);
  });

  it('gives a different suffix the shared prefix only', async () => {
    const shared = longText(650, 'base');
    await cachedTokens('gpt-5.4-nano', shared, 'alpha question about apples');
    const other = await cachedTokens('gpt-5.4-nano', shared, 'zulu question about pears');
    // Shared tokens: 3 framing + system text + 3 framing of the user message (texts differ from the first token).
    const sharedTokens = 3 + tokens(shared) + 3;
    expect(cacheable(sharedTokens)).toBeGreaterThanOrEqual(1024);
    expect(other.cached).toBe(cacheable(sharedTokens));
    // Only the part of its prompt beyond the shared prefix is written anew.
    expect(other.written).toBe(cacheable(other.prompt) - other.cached);
    expect(other.cached).toBeLessThan(cacheable(other.prompt) + 1);
  });

  it('is scoped by model and prompt_cache_key', async () => {
    const text = longText(720, 'scope');
    await cachedTokens('gpt-5.4-nano', text, 'q', 'tenant-a');
    expect((await cachedTokens('gpt-5.4-mini', text, 'q', 'tenant-a')).cached).toBe(0);
    expect((await cachedTokens('gpt-5.4-nano', text, 'q', 'tenant-b')).cached).toBe(0);
    expect((await cachedTokens('gpt-5.4-nano', text, 'q', 'tenant-a')).cached).toBeGreaterThanOrEqual(1024);
  });

  it('expires after the TTL, measured on the injected clock', async () => {
    const text = longText(710, 'ttl');
    await cachedTokens('gpt-5.4-nano', text, 'q');
    clock += 59_000;
    expect((await cachedTokens('gpt-5.4-nano', text, 'q')).cached).toBeGreaterThanOrEqual(1024);
    clock += 60_001;
    expect((await cachedTokens('gpt-5.4-nano', text, 'q')).cached).toBe(0);
    expect((await cachedTokens('gpt-5.4-nano', text, 'q')).cached).toBeGreaterThanOrEqual(1024);
  });
});

describe('PromptCache prefix lengths', () => {
  it.each([
    [1023, 0],
    [1024, 1024],
    [1100, 1024],
    [1151, 1024],
    [1152, 1152],
    [1215, 1152],
    [1279, 1152],
    [1280, 1280],
    [3000, 2944],
  ])('a repeated %i-token prompt has %i cached tokens', (length, expected) => {
    const cache = new PromptCache({ ttlMs: 1000, maxEntries: 100, now: () => 0 });
    const prompt = Array.from({ length }, (_, i) => i);
    expect(cache.lookup('m', prompt)).toBe(0);
    cache.store('m', prompt);
    expect(cache.lookup('m', prompt)).toBe(expected);
  });

  it('evicts the oldest entries beyond maxEntries', () => {
    const cache = new PromptCache({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    const prompt = (first: number) => Array.from({ length: 1024 }, (_, i) => first + i);
    cache.store('m', prompt(0));
    cache.store('m', prompt(1));
    cache.store('m', prompt(2));
    expect(cache.lookup('m', prompt(0))).toBe(0);
    expect(cache.lookup('m', prompt(1))).toBe(1024);
    expect(cache.lookup('m', prompt(2))).toBe(1024);
  });
});
