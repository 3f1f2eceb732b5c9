import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../workers/simulator/node';
import { chatLine, createBatch, json, pollBatch, resultLines } from './batch-support';
import { post, useSimulator } from './helpers';

const sim = useSimulator();

describe('batch faults, asked for through what a gateway passes on (line directives, batch metadata)', () => {
  it('a line that fails online fails in the batch the same way, into the error file', async () => {
    const openai = sim.client();
    const lines = [
      chatLine('ok', 'All is well'),
      chatLine('invalid', 'unused', { messages: [] }),
      chatLine('server', 'Break [[sim:fault=500]]'),
      chatLine('limited', 'Slow down [[sim:fault=429]]'),
      chatLine('once', 'Once only [[sim:fault=503,times=1]]'),
      chatLine('malformed', 'Cut short [[sim:fault=malformed]]'),
    ];
    const batch = await pollBatch(openai, (await createBatch(openai, lines)).id);
    expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 6, completed: 1, failed: 5 } });

    const [ok] = await resultLines(openai, batch.output_file_id);
    expect(ok!.custom_id).toBe('ok');
    expect(batch.usage!.total_tokens).toBe(ok!.response!.body.usage.total_tokens);

    const failures = await resultLines(openai, batch.error_file_id);
    expect(failures.map((line) => line.custom_id)).toEqual(['invalid', 'server', 'limited', 'once', 'malformed']);
    for (const line of failures.slice(0, 3)) {
      const online = await post(sim.url, lines.find((request) => request.custom_id === line.custom_id)!.body);
      expect(line.response).toMatchObject({ status_code: online.status, body: await online.json() });
      expect(line.error).toBeNull();
    }
    expect(failures[3]!.response).toMatchObject({ status_code: 503, body: { error: { code: 'service_unavailable' } } });
    // The batch used up the `times=1`: the same request online is now answered.
    expect((await post(sim.url, lines[4]!.body)).status).toBe(200);
    expect(failures[4]).toMatchObject({ response: null, error: { code: 'invalid_response' } });
  });

  it('sim_expire_after=N: only the first N lines are answered, the rest expire into the error file', async () => {
    const openai = sim.client();
    const lines = ['a', 'b', 'c', 'd'].map((id) => chatLine(id, `line ${id}`));
    const batch = await pollBatch(openai, (await createBatch(openai, lines, { sim_expire_after: '2' })).id);
    expect(batch).toMatchObject({ status: 'expired', request_counts: { total: 4, completed: 2, failed: 0 } });
    expect(batch.expired_at).toBeGreaterThanOrEqual(batch.in_progress_at!);
    expect(batch.completed_at).toBeUndefined();
    expect((await resultLines(openai, batch.output_file_id)).map((line) => line.custom_id)).toEqual(['a', 'b']);
    const expired = await resultLines(openai, batch.error_file_id);
    expect(expired.map((line) => line.custom_id)).toEqual(['c', 'd']);
    for (const line of expired) {
      expect(line).toMatchObject({ response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } });
    }
  });

  it('cancel while in progress: cancelling, then cancelled with the lines done so far', async () => {
    const openai = sim.client();
    // The third line hangs until the batch is cancelled, so the batch is caught in progress.
    const lines = [chatLine('a', 'first'), chatLine('b', 'second'), chatLine('hang', 'Wait [[sim:fault=timeout]]'), chatLine('d', 'never')];
    const created = await createBatch(openai, lines);
    await pollBatch(openai, created.id, (batch) => batch.request_counts?.completed === 2);

    const cancelling = await openai.batches.cancel(created.id);
    expect(cancelling).toMatchObject({ status: 'cancelling', request_counts: { total: 4, completed: 2, failed: 0 } });
    expect(cancelling.cancelling_at).toBeGreaterThanOrEqual(cancelling.in_progress_at!);

    const cancelled = await pollBatch(openai, created.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', request_counts: { total: 4, completed: 2, failed: 0 } });
    expect(cancelled.cancelled_at).toBeGreaterThanOrEqual(cancelled.cancelling_at!);
    expect([cancelled.finalizing_at, cancelled.completed_at, cancelled.error_file_id]).toEqual([undefined, undefined, undefined]);
    expect((await resultLines(openai, cancelled.output_file_id)).map((line) => line.custom_id)).toEqual(['a', 'b']);

    expect((await openai.batches.cancel(created.id)).status).toBe('cancelled');
    const done = await pollBatch(openai, (await createBatch(openai, [chatLine('x', 'quick')])).id);
    const refused = await fetch(`${sim.url}/batches/${done.id}/cancel`, { method: 'POST' });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.message).toContain("status 'completed'");
  });

  it('sim_completion_ms holds the lines back, per batch; batchCompletionMs is the default', async () => {
    const openai = sim.client();
    const held = await createBatch(openai, [chatLine('a', 'later')], { sim_completion_ms: '400' });
    const early = await openai.batches.retrieve(held.id);
    expect(early).toMatchObject({ status: 'in_progress', request_counts: { total: 1, completed: 0, failed: 0 } });
    expect((await pollBatch(openai, held.id)).status).toBe('completed');

    const slow = await startSimulator({ port: 0, batchCompletionMs: 60_000 });
    try {
      const client = new OpenAI({ baseURL: slow.url, apiKey: 'x', maxRetries: 0 });
      const waiting = await createBatch(client, [chatLine('a', 'much later')]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await client.batches.retrieve(waiting.id)).status).toBe('in_progress');
      expect((await client.batches.cancel(waiting.id)).status).toBe('cancelling');
      expect((await pollBatch(client, waiting.id)).status).toBe('cancelled');
    } finally {
      await slow.close();
    }
  });
});
