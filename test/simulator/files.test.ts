import { APIError, toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { openaiSchemaErrors } from '../support/openai-schemas';
import { json, upload } from './batch-support';
import { useSimulator } from './helpers';

const START = Date.UTC(2026, 0, 1);
let clock = START;
const sim = useSimulator({ now: () => clock });

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  expect(openaiSchemaErrors('ErrorResponse', { error: error.error })).toEqual([]);
  return error.status;
}

async function listIds(query: string): Promise<{ ids: string[]; body: Record<string, unknown> }> {
  const body = await json(fetch(`${sim.url}/files?${query}`));
  expect(openaiSchemaErrors('ListFilesResponse', body)).toEqual([]);
  return { ids: body.data.map((file: { id: string }) => file.id), body };
}

describe('the Files API', () => {
  it('uploads, retrieves, downloads the exact bytes and deletes, in OpenAI shapes', async () => {
    const openai = sim.client();
    const bytes = Buffer.from([0x7b, 0x0a, 0xff, 0x00, 0xe2, 0x82, 0xac]);
    const file = await openai.files.create({ file: await toFile(bytes, 'data.bin'), purpose: 'user_data' });
    expect(openaiSchemaErrors('OpenAIFile', file)).toEqual([]);
    expect(file).toEqual({ id: expect.stringMatching(/^file-/), object: 'file', bytes: 7, created_at: START / 1000, filename: 'data.bin', purpose: 'user_data', status: 'processed' });
    expect(await openai.files.retrieve(file.id)).toEqual(file);
    expect(Buffer.from(await (await openai.files.content(file.id)).arrayBuffer())).toEqual(bytes);

    const deleted = await openai.files.delete(file.id);
    expect(openaiSchemaErrors('DeleteFileResponse', deleted)).toEqual([]);
    expect(deleted).toEqual({ id: file.id, object: 'file', deleted: true });
    expect(await statusOf(openai.files.retrieve(file.id))).toBe(404);
    expect(await statusOf(openai.files.content(file.id))).toBe(404);
    expect(await statusOf(openai.files.delete(file.id))).toBe(404);
  });

  it('lists newest first by default, with purpose, order, limit and after', async () => {
    const openai = sim.client();
    const ids: string[] = [];
    for (const purpose of ['batch', 'user_data', 'batch'] as const) ids.push((await upload(openai, `{"n": ${ids.length}}\n`, purpose)).id);
    const [a, b, c] = ids;

    const all = await listIds('');
    expect(all.ids.filter((id) => ids.includes(id))).toEqual([c, b, a]);
    expect((await listIds('purpose=batch')).ids.filter((id) => ids.includes(id))).toEqual([c, a]);
    expect((await listIds('order=asc')).ids.filter((id) => ids.includes(id))).toEqual([a, b, c]);

    const first = await listIds('limit=1');
    expect(first.body).toMatchObject({ object: 'list', first_id: c, last_id: c, has_more: true });
    expect((await listIds(`limit=1&after=${c}`)).ids).toEqual([b]);

    const sdkSeen: string[] = [];
    for await (const file of openai.files.list({ limit: 2 })) sdkSeen.push(file.id);
    expect(sdkSeen.filter((id) => ids.includes(id))).toEqual([c, b, a]);
    expect((await fetch(`${sim.url}/files?order=sideways`)).status).toBe(400);
    expect((await fetch(`${sim.url}/files?limit=0`)).status).toBe(400);
  });

  it('expires files by the injectable clock: batch files after 30 days, others on request only', async () => {
    const openai = sim.client();
    const batchFile = await upload(openai, '{}\n', 'batch');
    expect(batchFile.expires_at).toBe(batchFile.created_at + 30 * 24 * 3600);
    const kept = await upload(openai, 'keep me', 'user_data');
    expect(kept.expires_at).toBeUndefined();
    const brief = await openai.files.create({ file: await toFile(Buffer.from('brief'), 'brief.txt'), purpose: 'user_data', expires_after: { anchor: 'created_at', seconds: 3600 } });
    expect(brief.expires_at).toBe(brief.created_at + 3600);

    clock += 3600 * 1000;
    try {
      expect(await statusOf(openai.files.retrieve(brief.id))).toBe(404);
      expect((await listIds('')).ids).not.toContain(brief.id);
      expect((await openai.files.retrieve(kept.id)).id).toBe(kept.id);
    } finally {
      clock = START;
    }
  });

  it('refuses an upload without a file or with an unknown purpose', async () => {
    const form = new FormData();
    form.set('purpose', 'batch');
    const missing = await fetch(`${sim.url}/files`, { method: 'POST', body: form });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error).toMatchObject({ param: 'file', code: 'missing_required_parameter' });
    const openai = sim.client();
    expect(await statusOf(openai.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'homework' as never }))).toBe(400);
  });
});
