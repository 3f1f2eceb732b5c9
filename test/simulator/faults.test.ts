import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { post, useSimulator } from './helpers';

const sim = useSimulator();

function ask(content: string) {
  return { model: 'gpt-5.4-nano', messages: [{ role: 'user', content }] };
}

async function errorOf(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

describe('fault injection', () => {
  it('429 from a directive with retry-after, then ok after times=1', async () => {
    const body = ask('Classify this [[sim:fault=429,times=1,retry_after=0.05]] please');
    const client = sim.client(0);
    const error = await errorOf(client.chat.completions.create(body as never));
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('0.05');
    expect(error.headers?.get('retry-after-ms')).toBe('50');
    expect(error.code).toBe('rate_limit_exceeded');
    const answer = await client.chat.completions.create(body as never);
    expect(answer.choices[0]!.message.content).toContain('Classify this');
  });

  it('429 from the header with the default retry-after of 1 second, seen by plain fetch', async () => {
    const body = ask('header fault');
    const limited = await post(sim.url, body, { 'x-sim-fault': '429,times=1' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('retry-after-ms')).toBe('1000');
    expect(limited.headers.get('x-nanometer-simulator')).toBe('1');
    expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
    expect((await post(sim.url, body, { 'x-sim-fault': '429,times=1' })).status).toBe(200);
  });

  it('lets the SDK retry through a 429 using retry-after-ms', async () => {
    const answer = await sim.client(2).chat.completions.create(ask('retry me [[sim:fault=429,times=1,retry_after=0.01]]') as never);
    expect(answer.choices[0]!.finish_reason).toBe('stop');
  });

  it('fails every time without times=N', async () => {
    const body = ask('always broken [[sim:fault=500]]');
    for (let i = 0; i < 3; i++) expect((await post(sim.url, body)).status).toBe(500);
  });

  it.each([
    ['500', 500, 'server_error'],
    ['503', 503, 'server_error'],
    ['400', 400, 'invalid_request_error'],
  ])('fault %s answers %i in the OpenAI error shape', async (kind, status, type) => {
    const response = await post(sim.url, ask(`[[sim:fault=${kind}]] hello`));
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type, message: expect.any(String), param: null });
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  it('malformed answers 200 application/json with an unparseable body', async () => {
    const response = await post(sim.url, ask('hello'), { 'x-sim-fault': 'malformed' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it.each([
    ['empty_stream', ''],
    ['done_only', 'data: [DONE]\n\n'],
  ])('%s answers 200 text/event-stream without a single chunk, streamed or not; the SDK sees no chunk', async (kind, text) => {
    for (const stream of [true, false]) {
      const response = await post(sim.url, { ...ask('hello'), stream }, { 'x-sim-fault': kind });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(await response.text()).toBe(text);
    }
    const chunks = [];
    const stream = await sim.client(0).chat.completions.create({ model: 'gpt-5.4-nano', messages: [{ role: 'user', content: `[[sim:fault=${kind}]] hi` }], stream: true });
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('timeout with ms=N hangs that long, then answers normally', async () => {
    const started = Date.now();
    const response = await post(sim.url, ask('slow [[sim:fault=timeout,ms=300]]'));
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(((await response.json()) as { object: string }).object).toBe('chat.completion');
  });

  it('timeout without ms never answers until the client aborts', async () => {
    const started = Date.now();
    const outcome = await post(sim.url, ask('hang [[sim:fault=timeout]]'), {}, AbortSignal.timeout(400)).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(outcome).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect((await post(sim.url, ask('still alive'))).status).toBe(200);
  });

  it('rejects an unknown fault kind with a 400', async () => {
    const response = await post(sim.url, ask('x'), { 'x-sim-fault': 'explode' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('latency knobs', () => {
  it('delays the answer by x-sim-latency-ms', async () => {
    const started = Date.now();
    expect((await post(sim.url, ask('wait'), { 'x-sim-latency-ms': '250' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('paces output at x-sim-tokens-per-second, also across stream chunks', async () => {
    const body = { ...ask('one two three four five six'), reasoning_effort: 'none' };
    const started = Date.now();
    const response = await post(sim.url, body, { 'x-sim-tokens-per-second': '100' });
    const completion = (await response.json()) as { usage: { completion_tokens: number } };
    const expectedMs = (completion.usage.completion_tokens / 100) * 1000;
    expect(expectedMs).toBeGreaterThan(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(expectedMs - 10);

    const streamStarted = Date.now();
    const stream = await post(sim.url, { ...body, stream: true }, { 'x-sim-tokens-per-second': '100' });
    const arrivals: number[] = [];
    const reader = stream.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) arrivals.push(Date.now() - streamStarted);
    expect(arrivals[arrivals.length - 1]!).toBeGreaterThanOrEqual(expectedMs - 20);
    expect(arrivals[0]!).toBeLessThan(expectedMs / 2);
  });
});
