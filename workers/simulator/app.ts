/**
 * The simulator: an OpenAI-compatible Chat Completions (and Responses) upstream for local development, tests and
 * benchmarks. Deterministic, not intelligent; never a production default. Runtime-agnostic
 * (Web APIs only), so it runs in Node (see node.ts) or workerd.
 */
import { Hono } from 'hono';
import { mountFilesAndBatches } from './batches/mount';
import { PromptCache } from './cache';
import { answerCall } from './call';
import { errorResponse, InvalidRequestError } from './errors';
import { FaultCounter, injectedFault, usageOmitted } from './faults';
import { resolveOptions, type SimulatorOptions } from './options';
import { mountResponses } from './responses/routes';
import { headerNumber, parseChatRequest, parseJson } from './request';
import { pacingMs, sleep } from './timing';
import { messageText, promptTokenSequence } from './tokens';
import { completionBody, streamResponse } from './wire';

export type { SimulatorOptions } from './options';

/** Set on every response, so the gateway can record that the simulator served a call. */
export const SIMULATOR_HEADER = 'x-nanometer-simulator';

export function createSimulator(overrides: Partial<SimulatorOptions> = {}): Hono {
  const options = resolveOptions(overrides);
  const cache = new PromptCache({ ttlMs: options.cacheTtlMs, maxEntries: options.cacheMaxEntries, now: options.now });
  const faults = new FaultCounter();
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set(SIMULATOR_HEADER, '1');
  });

  app.get('/v1/models', (c) =>
    c.json({
      object: 'list',
      data: options.models.map((id) => ({ id, object: 'model', created: 1_767_225_600, owned_by: 'openai' })),
    }),
  );

  app.post('/v1/chat/completions', async (c) => {
    const raw = await c.req.text();
    const request = parseChatRequest(parseJson(raw));
    const headers = c.req.raw.headers;
    const signal = c.req.raw.signal;
    const latencyMs = headerNumber(headers, 'x-sim-latency-ms', options.latencyMs);
    const tokensPerSecond = headerNumber(headers, 'x-sim-tokens-per-second', options.tokensPerSecond);
    const texts = request.messages.map(messageText);

    const faulted = await injectedFault(faults, raw, headers, texts, signal);
    if (faulted) return faulted;
    await sleep(latencyMs, signal);

    const answer = answerCall(options, cache, { chat: request, tokens: promptTokenSequence(request), texts, raw, headers });

    const wire = { id: `chatcmpl-${crypto.randomUUID().replace(/-/g, '')}`, created: Math.floor(options.now() / 1000), model: request.model };
    if (request.stream) {
      return streamResponse(answer, wire, { includeUsage: request.stream_options?.include_usage === true && !usageOmitted(headers, texts), tokensPerSecond, signal });
    }
    const { completion_tokens, completion_tokens_details } = answer.usage;
    await sleep(pacingMs(completion_tokens - completion_tokens_details.reasoning_tokens, tokensPerSecond), signal);
    return c.json(completionBody(answer, wire));
  });

  mountFilesAndBatches(app, options);
  mountResponses(app, { options, cache, faults });

  app.notFound((c) =>
    errorResponse(404, `Invalid URL (${c.req.method} ${new URL(c.req.url).pathname})`, 'invalid_request_error', 'unknown_url'),
  );

  app.onError((error) =>
    error instanceof InvalidRequestError
      ? errorResponse(error.status, error.message, 'invalid_request_error', error.code, error.param)
      : errorResponse(500, `Simulator error: ${error.message}`, 'server_error'),
  );

  return app;
}
