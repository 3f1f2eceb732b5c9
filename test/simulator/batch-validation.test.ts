import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { openaiSchemaErrors } from '../support/openai-schemas';
import { chatLine, createBatch, pollBatch, upload } from './batch-support';
import { useSimulator } from './helpers';

const sim = useSimulator();

/** The status and param of the API error the call ends in, checked against ErrorResponse. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; param: string | null | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  expect(openaiSchemaErrors('ErrorResponse', { error: error.error })).toEqual([]);
  return { status: error.status ?? 0, param: error.param };
}

describe('batch validation', () => {
  it('a bad input file fails the batch, with OpenAI errors naming each line', async () => {
    const openai = sim.client();
    const good = chatLine('a', 'fine');
    const lines = [
      good,
      '{"custom_id": "broken", ',
      { ...chatLine('x', 'no id'), custom_id: undefined },
      chatLine('a', 'again'),
      { ...chatLine('wrong-url', 'hi'), url: '/v1/responses' },
      { ...chatLine('get', 'hi'), method: 'GET' },
      '',
      chatLine('mini', 'hi', { model: 'gpt-5.4-mini' }),
      chatLine('last', 'fine too'),
    ];
    const batch = await pollBatch(openai, (await createBatch(openai, lines)).id);
    expect(batch).toMatchObject({ status: 'failed', request_counts: { total: 0, completed: 0, failed: 0 } });
    expect(batch.failed_at).toBeGreaterThanOrEqual(batch.created_at);
    expect([batch.in_progress_at, batch.output_file_id, batch.error_file_id]).toEqual([undefined, undefined, undefined]);
    expect(batch.errors?.object).toBe('list');
    expect(batch.errors?.data?.map(({ code, param, line }) => ({ code, param, line }))).toEqual([
      { code: 'invalid_json_line', param: null, line: 2 },
      { code: 'missing_required_parameter', param: 'custom_id', line: 3 },
      { code: 'duplicate_custom_id', param: 'custom_id', line: 4 },
      { code: 'invalid_url', param: 'url', line: 5 },
      { code: 'invalid_method', param: 'method', line: 6 },
      { code: 'mismatched_model', param: 'body.model', line: 8 },
    ]);
  });

  it('an empty file fails; sim_fail_validation fails a good one at the line it names', async () => {
    const openai = sim.client();
    const emptyFile = await upload(openai, '\n');
    const empty = await openai.batches.create({ input_file_id: emptyFile.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect((await pollBatch(openai, empty.id)).errors?.data).toEqual([{ code: 'empty_file', message: expect.any(String), param: null, line: null }]);

    const asked = await pollBatch(openai, (await createBatch(openai, [chatLine('a', 'fine')], { sim_fail_validation: '1' })).id);
    expect(asked).toMatchObject({ status: 'failed', errors: { data: [{ code: 'invalid_request', line: 1 }] } });
  });

  it('refuses a batch it cannot start with an OpenAI 400 or 404', async () => {
    const openai = sim.client();
    const file = await upload(openai, `${JSON.stringify(chatLine('a', 'hi'))}\n`);
    const create = (overrides: Record<string, unknown>) =>
      openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', ...overrides } as never);

    expect(await refusal(create({ endpoint: '/v1/embeddings' }))).toEqual({ status: 400, param: 'endpoint' });
    expect(await refusal(create({ completion_window: '48h' }))).toEqual({ status: 400, param: 'completion_window' });
    expect(await refusal(create({ metadata: { sim_expire_after: 'soon' } }))).toEqual({ status: 400, param: 'metadata.sim_expire_after' });
    expect(await refusal(create({ metadata: { note: 'x'.repeat(513) } }))).toEqual({ status: 400, param: 'metadata' });
    expect(await refusal(create({ output_expires_after: { anchor: 'created_at', seconds: 60 } }))).toEqual({ status: 400, param: 'output_expires_after.seconds' });
    expect(await refusal(create({ input_file_id: 'file-missing' }))).toEqual({ status: 404, param: 'input_file_id' });
    const notForBatches = await upload(openai, 'notes', 'user_data');
    expect(await refusal(create({ input_file_id: notForBatches.id }))).toEqual({ status: 400, param: 'input_file_id' });
  });

  it('keeps the metadata and dates the output files by output_expires_after', async () => {
    const openai = sim.client();
    const file = await upload(openai, `${JSON.stringify(chatLine('a', 'hi'))}\n`);
    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'nightly' },
      output_expires_after: { anchor: 'created_at', seconds: 7200 },
    });
    const batch = await pollBatch(openai, created.id);
    expect(batch.metadata).toEqual({ job: 'nightly' });
    const output = await openai.files.retrieve(batch.output_file_id!);
    expect(output).toMatchObject({ purpose: 'batch_output', filename: `${batch.id}_output.jsonl` });
    expect(output.expires_at).toBe(output.created_at + 7200);
  });
});
