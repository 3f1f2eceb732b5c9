import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers';
import { postResponse } from './responses-helpers';

const sim = useSimulator();
const ask = (input: string) => ({ model: 'gpt-5.4-nano', input });

describe('faults on /v1/responses', () => {
  it('429 with retry-after from a directive, then ok after times=1; the SDK retries through it', async () => {
    const body = ask('Classify this [[sim:fault=429,times=1,retry_after=0.05]] please');
    const error = await sim.client(0).responses.create(body).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).headers?.get('retry-after')).toBe('0.05');
    expect((await sim.client(0).responses.create(body)).status).toBe('completed');
    expect((await sim.client(2).responses.create(ask('retry me [[sim:fault=429,times=1,retry_after=0.01]]'))).status).toBe('completed');
  });

  it.each([
    ['500', 500, 'server_error'],
    ['503', 503, 'server_error'],
    ['400', 400, 'invalid_request_error'],
  ])('fault %s answers %i in the OpenAI error shape', async (kind, status, type) => {
    const response = await postResponse(sim.url, ask(`[[sim:fault=${kind}]] hello`));
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: object }).error).toMatchObject({ type, param: null });
  });

  it('a fault from the header, and from a directive in the instructions', async () => {
    expect((await postResponse(sim.url, ask('hello'), { 'x-sim-fault': '503' })).status).toBe(503);
    expect((await postResponse(sim.url, { ...ask('hello'), instructions: '[[sim:fault=500]]' })).status).toBe(500);
  });

  it('malformed answers 200 application/json with an unparseable body', async () => {
    const response = await postResponse(sim.url, ask('hello'), { 'x-sim-fault': 'malformed' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('empty_stream and done_only answer a Responses stream without a single event', async () => {
    for (const kind of ['empty_stream', 'done_only']) {
      const events = [];
      for await (const event of await sim.client(0).responses.create({ ...ask(`[[sim:fault=${kind}]] hi`), stream: true })) events.push(event);
      expect(events, kind).toEqual([]);
    }
  });

  it('timeout hangs ms=N then answers, and without ms hangs until the client aborts', async () => {
    const started = Date.now();
    expect((await postResponse(sim.url, ask('slow [[sim:fault=timeout,ms=300]]'))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const outcome = await postResponse(sim.url, ask('hang [[sim:fault=timeout]]'), {}, AbortSignal.timeout(300)).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(outcome).toBe('TimeoutError');
  });

  it('latency: x-sim-latency-ms delays a foreground answer', async () => {
    const started = Date.now();
    expect((await postResponse(sim.url, ask('wait'), { 'x-sim-latency-ms': '250' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });
});
