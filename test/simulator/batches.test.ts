import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openaiSchemaErrors } from '../support/openai-schemas';
import { chatLine, createBatch, json, jsonl, pollBatch, resultLines } from './batch-support';
import { post, useSimulator } from './helpers';

const sim = useSimulator();

const intent = { type: 'object', properties: { label: { type: 'string', enum: ['billing', 'shipping'] } }, required: ['label'], additionalProperties: false };
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const requests = [
  chatLine('plain', 'Say hello to the batch'),
  chatLine('json', 'I was charged twice', { response_format: { type: 'json_schema', json_schema: { name: 'intent', strict: true, schema: intent } } }),
  chatLine('tool', 'What is the weather in Lisbon?', { tools: [weather] }),
  chatLine('short', 'Think briefly, answer at length', { reasoning_effort: 'low', max_completion_tokens: 80 }),
];

/** The answer less what differs between any two calls (its id and creation time). */
function comparable(body: Record<string, unknown>) {
  const { id: _id, created: _created, ...rest } = body;
  return rest;
}

describe("the Batch API, the seed's flow with the official SDK", () => {
  it('uploads, creates, polls and downloads: every line is what the same request answers online', async () => {
    const openai = sim.client();
    const path = join(await mkdtemp(join(tmpdir(), 'batch-')), 'batchinput.jsonl');
    await writeFile(path, jsonl(requests));
    for (const line of requests) expect(openaiSchemaErrors('BatchRequestInput', line)).toEqual([]);

    const file = await openai.files.create({ file: createReadStream(path), purpose: 'batch' });
    expect(openaiSchemaErrors('OpenAIFile', file)).toEqual([]);
    const created = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(openaiSchemaErrors('Batch', created)).toEqual([]);
    expect(created).toMatchObject({ object: 'batch', status: 'validating', input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(created.id).toMatch(/^batch_/);

    const batch = await pollBatch(openai, created.id);
    expect(batch).toMatchObject({ status: 'completed', model: 'gpt-5.4-nano', request_counts: { total: 4, completed: 4, failed: 0 }, metadata: null });
    expect(batch.error_file_id).toBeUndefined();
    expect(batch.expires_at).toBe(batch.created_at + 24 * 3600);
    const stamps = [batch.created_at, batch.in_progress_at, batch.finalizing_at, batch.completed_at];
    expect(stamps).toEqual([...stamps].sort());
    expect([batch.failed_at, batch.expired_at, batch.cancelling_at, batch.cancelled_at, batch.errors]).toEqual([undefined, undefined, undefined, undefined, undefined]);

    const lines = await resultLines(openai, batch.output_file_id);
    expect(lines.map((line) => line.custom_id)).toEqual(requests.map((request) => request.custom_id));
    let promptTokens = 0;
    let completionTokens = 0;
    let reasoningTokens = 0;
    for (const [index, line] of lines.entries()) {
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.error).toBeNull();
      expect(line.response?.status_code).toBe(200);
      expect(line.response?.request_id).toMatch(/^req_/);
      const body = line.response!.body;
      expect(openaiSchemaErrors('CreateChatCompletionResponse', body)).toEqual([]);
      const online = await json(post(sim.url, requests[index]!.body));
      expect(comparable(body)).toEqual(comparable(online));
      promptTokens += body.usage.prompt_tokens;
      completionTokens += body.usage.completion_tokens;
      reasoningTokens += body.usage.completion_tokens_details.reasoning_tokens;
    }
    expect(lines[1]!.response!.body.choices[0].message.content).toMatch(/^\{"label":"(billing|shipping)"\}$/);
    expect(lines[2]!.response!.body.choices[0].finish_reason).toBe('tool_calls');
    expect(lines[3]!.response!.body.choices[0].finish_reason).toBe('length');
    // As online: no reasoning without an effort; the line that asks for one reasons, within its max_completion_tokens.
    expect(lines.map((line) => line.response!.body.usage.completion_tokens_details.reasoning_tokens)).toEqual([0, 0, 0, 64]);
    expect(lines[3]!.response!.body.usage.completion_tokens).toBe(80);
    expect(batch.usage).toEqual({
      input_tokens: promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: completionTokens,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: promptTokens + completionTokens,
    });
  });

  it('a schema check that can fail: a batch with an unknown status is refused', async () => {
    const batch = await sim.client().batches.retrieve((await createBatch(sim.client(), [chatLine('a', 'hi')])).id);
    expect(openaiSchemaErrors('Batch', { ...batch, status: 'done' }).length).toBeGreaterThan(0);
    expect(openaiSchemaErrors('BatchRequestOutput', { id: 'batch_req_1', custom_id: 'a', response: { status_code: '200' }, error: null }).length).toBeGreaterThan(0);
  });

  it('lists batches newest first in pages of `limit`, as ListBatchesResponse', async () => {
    const openai = sim.client();
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) ids.push((await createBatch(openai, [chatLine(name, name)], { name })).id);
    const first = await json(fetch(`${sim.url}/batches?limit=2`));
    expect(openaiSchemaErrors('ListBatchesResponse', first)).toEqual([]);
    expect(first).toMatchObject({ object: 'list', has_more: true, first_id: ids[2], last_id: ids[1] });
    expect(first.data.map((batch: { id: string }) => batch.id)).toEqual([ids[2], ids[1]]);
    const next = await json(fetch(`${sim.url}/batches?limit=2&after=${ids[1]}`));
    expect(next.data[0].id).toBe(ids[0]);

    const seen: string[] = [];
    for await (const batch of openai.batches.list({ limit: 2 })) seen.push(batch.id);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect((await fetch(`${sim.url}/batches?limit=101`)).status).toBe(400);
  });

  it('answers an unknown batch with a 404 ErrorResponse', async () => {
    const response = await fetch(`${sim.url}/batches/batch_nope`);
    expect(response.status).toBe(404);
    const body = await json(response);
    expect(openaiSchemaErrors('ErrorResponse', body)).toEqual([]);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'batch_id' });
  });
});
