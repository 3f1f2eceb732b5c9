import { describe, expect, it } from 'vitest';
import { post, useSimulator } from './helpers';

const sim = useSimulator();
const messages = [{ role: 'user' as const, content: 'Which tier served me?' }];

describe('service tiers', () => {
  it('reports the tier asked for: fast as priority, auto and none as default', async () => {
    // The SDK's type lags OpenAI's API, which also takes `fast`.
    const served = async (service_tier?: 'auto' | 'default' | 'flex' | 'priority' | 'fast') =>
      (await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', messages, ...(service_tier ? { service_tier: service_tier as 'priority' } : {}) }))
        .service_tier;
    expect(await served()).toBe('default');
    expect(await served('auto')).toBe('default');
    expect(await served('default')).toBe('default');
    expect(await served('flex')).toBe('flex');
    expect(await served('priority')).toBe('priority');
    expect(await served('fast')).toBe('priority');
  });

  it('reports the tier on every stream chunk', async () => {
    const stream = await sim.client().chat.completions.create({ model: 'gpt-5.4-nano', messages, stream: true, service_tier: 'flex' });
    const tiers = new Set<string | null | undefined>();
    for await (const chunk of stream) tiers.add(chunk.service_tier);
    expect([...tiers]).toEqual(['flex']);
  });

  it('reports another tier when told to, by directive or header', async () => {
    const byDirective = await sim.client().chat.completions.create({
      model: 'gpt-5.4-nano',
      service_tier: 'default',
      messages: [{ role: 'user', content: 'Serve me [[sim:tier=priority]] please' }],
    });
    expect(byDirective.service_tier).toBe('priority');
    const byHeader = (await (await post(sim.url, { model: 'gpt-5.4-nano', messages }, { 'x-sim-service-tier': 'scale' })).json()) as { service_tier: string };
    expect(byHeader.service_tier).toBe('scale');
  });

  it('refuses a tier OpenAI does not have, in its error shape', async () => {
    const res = await post(sim.url, { model: 'gpt-5.4-nano', messages, service_tier: 'gold' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', param: 'service_tier' });
  });
});
