import { APIError } from 'openai';
import type { ResponseItem } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers';
import { postResponse } from './responses-helpers';

let clock = 1_800_000_000_000;
const sim = useSimulator({ now: () => clock, backgroundMs: 1000 });
const small = useSimulator({ responsesMaxEntries: 2 });
const model = 'gpt-5.4-nano';

async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

describe('stored responses', () => {
  it('retrieve gives the stored response; delete answers the deletion object, then 404s', async () => {
    const client = sim.client();
    const created = await client.responses.create({ model, input: 'Keep this one' });
    expect(await client.responses.retrieve(created.id)).toEqual(created);
    const deleted = await fetch(`${sim.url}/responses/${created.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ id: created.id, object: 'response', deleted: true });
    const gone = await apiError(client.responses.retrieve(created.id));
    expect(gone.status).toBe(404);
    expect(gone.error).toMatchObject({ type: 'invalid_request_error', message: `Response with id '${created.id}' not found.` });
    expect((await apiError(client.responses.delete(created.id))).status).toBe(404);
  });

  it('store: false keeps nothing: no retrieve, no previous_response_id', async () => {
    const client = sim.client();
    const created = await client.responses.create({ model, input: 'Forget this', store: false });
    expect(created).toMatchObject({ store: false });
    expect((await apiError(client.responses.retrieve(created.id))).status).toBe(404);
    const chained = await apiError(client.responses.create({ model, input: 'and?', previous_response_id: created.id }));
    expect(chained.status).toBe(400);
    expect(chained.code).toBe('previous_response_not_found');
  });

  it('input_items lists everything a response was given, newest first, paged by the SDK', async () => {
    const client = sim.client();
    const first = await client.responses.create({ model, input: 'First question', reasoning: { effort: 'none' } });
    const second = await client.responses.create({ model, input: 'Second question', previous_response_id: first.id });
    const page = await client.responses.inputItems.list(second.id);
    const describe = (item: ResponseItem) => (item.type === 'message' ? `${item.role}: ${(item.content[0] as { text: string }).text}` : item.type);
    expect(page.data.map(describe)).toEqual(['user: Second question', `assistant: ${first.output_text}`, 'user: First question']);
    expect(page.data[1]!.id).toBe(first.output[0]!.id);
    const paged: string[] = [];
    for await (const item of client.responses.inputItems.list(second.id, { limit: 1, order: 'asc' })) paged.push(describe(item));
    expect(paged).toEqual([...page.data.map(describe)].reverse());
  });

  it('an item_reference input resolves to the stored item', async () => {
    const client = sim.client();
    const first = await client.responses.create({ model, input: 'Remember the harbour', reasoning: { effort: 'none' } });
    const answerId = first.output[0]!.id!;
    const followUp = await client.responses.create({ model, input: [{ type: 'item_reference', id: answerId }, { role: 'user', content: 'and then?' }] });
    const items = await client.responses.inputItems.list(followUp.id, { order: 'asc' });
    expect(items.data[0]).toMatchObject({ id: answerId, type: 'message', role: 'assistant', content: [{ text: first.output_text }] });
  });

  it('an item given only by its id is an item_reference too (its type is optional, as in OpenAI)', async () => {
    const client = sim.client();
    const first = await client.responses.create({ model, input: 'Remember the lighthouse', reasoning: { effort: 'none' } });
    const followUp = await client.responses.create({ model, input: [{ id: first.output[0]!.id! }] });
    const items = await client.responses.inputItems.list(followUp.id);
    expect(items.data).toMatchObject([{ id: first.output[0]!.id, role: 'assistant', content: [{ text: first.output_text }] }]);
  });

  it('evicts the oldest stored responses past responsesMaxEntries', async () => {
    const client = small.client();
    const [a, b, c] = [await client.responses.create({ model, input: 'a' }), await client.responses.create({ model, input: 'b' }), await client.responses.create({ model, input: 'c' })];
    expect((await apiError(client.responses.retrieve(a.id))).status).toBe(404);
    expect((await client.responses.retrieve(b.id)).id).toBe(b.id);
    expect((await client.responses.retrieve(c.id)).id).toBe(c.id);
  });
});

describe('background responses', () => {
  it('answer at once as queued, then in_progress, then completed with output and usage after backgroundMs', async () => {
    const client = sim.client();
    const foreground = await client.responses.create({ model, input: 'Work on this later' });
    const queued = await client.responses.create({ model, input: 'Work on this later', background: true });
    expect(queued).toMatchObject({ status: 'queued', background: true, output: [], completed_at: null });
    expect(queued.usage).toBeUndefined();
    clock += 499;
    expect((await client.responses.retrieve(queued.id)).status).toBe('queued');
    clock += 1;
    expect((await client.responses.retrieve(queued.id)).status).toBe('in_progress');
    clock += 500;
    const done = await client.responses.retrieve(queued.id);
    expect(done).toMatchObject({ status: 'completed', completed_at: Math.floor(clock / 1000) });
    expect(done.output_text).toBe(foreground.output_text);
    expect(done.usage?.output_tokens).toBe(foreground.usage?.output_tokens);
  });

  it('take their delay from x-sim-background-ms or a [[sim:background_ms=N]] directive', async () => {
    const byHeader = (await (await postResponse(sim.url, { model, input: 'header', background: true }, { 'x-sim-background-ms': '10' })).json()) as { id: string };
    const byDirective = await sim.client().responses.create({ model, input: 'directive [[sim:background_ms=20000]]', background: true });
    clock += 10;
    expect((await sim.client().responses.retrieve(byHeader.id)).status).toBe('completed');
    clock += 10_000;
    expect((await sim.client().responses.retrieve(byDirective.id)).status).toBe('in_progress');
  });

  it('cancel before completion gives cancelled, for good; cancelling again or after completion changes nothing', async () => {
    const client = sim.client();
    const pending = await client.responses.create({ model, input: 'Cancel me', background: true });
    const cancelled = await client.responses.cancel(pending.id);
    expect(cancelled).toMatchObject({ id: pending.id, status: 'cancelled', output: [] });
    expect(cancelled.usage).toBeUndefined();
    clock += 5000;
    expect((await client.responses.retrieve(pending.id)).status).toBe('cancelled');
    expect((await client.responses.cancel(pending.id)).status).toBe('cancelled');

    const finished = await client.responses.create({ model, input: 'Too late to cancel', background: true });
    clock += 1000;
    expect((await client.responses.cancel(finished.id)).status).toBe('completed');
  });

  it('only background responses can be cancelled; unknown ids are 404', async () => {
    const client = sim.client();
    const foreground = await client.responses.create({ model, input: 'Not cancellable' });
    const refused = await apiError(client.responses.cancel(foreground.id));
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('background') });
    expect((await apiError(client.responses.cancel('resp_unknown'))).status).toBe(404);
  });
});
