/** Steps shared by the Files and Batch API tests, done with the official SDK as users do. */
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { expect } from 'vitest';
import { openaiSchemaErrors } from '../support/openai-schemas';

const TERMINAL = ['completed', 'failed', 'expired', 'cancelled'];

export type InputLine = { custom_id: string; method: 'POST'; url: string; body: Record<string, unknown> };

export type OutputLine = {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: Record<string, any> } | null;
  error: { code: string; message: string } | null;
};

/** A JSON answer read without the SDK, to see the wire as it is. */
export async function json(response: Response | Promise<Response>): Promise<Record<string, any>> {
  return (await (await response).json()) as Record<string, any>;
}

export function chatLine(custom_id: string, content: string, extra: Record<string, unknown> = {}): InputLine {
  return { custom_id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-5.4-nano', messages: [{ role: 'user', content }], ...extra } };
}

export function jsonl(lines: readonly unknown[]): string {
  return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
}

export async function upload(client: OpenAI, text: string, purpose: 'batch' | 'user_data' = 'batch') {
  return client.files.create({ file: await toFile(Buffer.from(text), 'requests.jsonl'), purpose });
}

/** Uploads the lines and creates a chat completions batch over them. */
export async function createBatch(client: OpenAI, lines: readonly unknown[], metadata?: Record<string, string>): Promise<Batch> {
  const file = await upload(client, jsonl(lines));
  return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata });
}

/** Polls the batch until `done` says so (by default: a terminal status), checking every state against OpenAI's schema. */
export async function pollBatch(client: OpenAI, id: string, done = (batch: Batch) => TERMINAL.includes(batch.status)): Promise<Batch> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const batch = await client.batches.retrieve(id);
    expect(openaiSchemaErrors('Batch', batch)).toEqual([]);
    if (done(batch)) return batch;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`batch ${id} never got there`);
}

/** A result file's lines, each checked against OpenAI's per-line schema. */
export async function resultLines(client: OpenAI, fileId: string | undefined): Promise<OutputLine[]> {
  if (!fileId) throw new Error('the batch has no such file');
  const text = await (await client.files.content(fileId)).text();
  const lines: OutputLine[] = text.trimEnd().split('\n').map((line) => JSON.parse(line));
  for (const line of lines) expect(openaiSchemaErrors('BatchRequestOutput', line)).toEqual([]);
  return lines;
}
