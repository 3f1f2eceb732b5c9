/** The Batch API: create, list, retrieve and cancel. */
import type { Hono } from 'hono';
import { InvalidRequestError } from '../errors';
import type { SimulatorOptions } from '../options';
import { parseJson } from '../request';
import { BatchJob, BatchJobs } from './batch';
import { expiresAfterSeconds, type FileStore } from './files';
import { parseBatchInput } from './input';
import { listQuery, page } from './list';
import { batchKnobs, parseMetadata } from './metadata';
import { startBatch, type Dispatch } from './runner';

/** The endpoints a batch may target: the simulator's own routes among those OpenAI's CreateBatchRequest lists. */
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/responses'] as const;

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new InvalidRequestError(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
  return value;
}

export function mountBatches(app: Hono, files: FileStore, options: SimulatorOptions, dispatch: Dispatch): void {
  const jobs = new BatchJobs();

  app.post('/v1/batches', async (c) => {
    const raw = parseJson(await c.req.text());
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRequestError('The request body must be a JSON object.', 'body');
    const body = raw as Record<string, unknown>;
    const input_file_id = requiredString(body, 'input_file_id');
    const endpoint = requiredString(body, 'endpoint');
    if (!(BATCH_ENDPOINTS as readonly string[]).includes(endpoint)) {
      throw new InvalidRequestError(`Invalid 'endpoint': '${endpoint}'. The simulator runs batches for ${BATCH_ENDPOINTS.join(' and ')}.`, 'endpoint');
    }
    const completion_window = requiredString(body, 'completion_window');
    if (completion_window !== '24h') throw new InvalidRequestError("Invalid 'completion_window': only '24h' is supported.", 'completion_window');
    const metadata = parseMetadata(body.metadata);
    const knobs = batchKnobs(metadata, options.batchCompletionMs);
    const outputExpiresAfter = expiresAfterSeconds(body.output_expires_after, 'output_expires_after');
    const { file, content } = files.get(input_file_id, 'input_file_id');
    if (file.purpose !== 'batch') {
      throw new InvalidRequestError(`File ${input_file_id} has purpose '${file.purpose}'; a batch's input file must have purpose 'batch'.`, 'input_file_id');
    }

    const job = new BatchJob({ endpoint, input_file_id, completion_window, metadata }, options.now);
    jobs.add(job);
    const created = job.body();
    startBatch(job, { input: parseBatchInput(new TextDecoder().decode(content), endpoint), knobs, outputExpiresAfter }, dispatch, files);
    return c.json(created);
  });

  app.get('/v1/batches', (c) => {
    const query = listQuery(new URL(c.req.url).searchParams, { limit: 20, maxLimit: 100, order: 'desc' });
    return c.json(page(jobs.list().map((job) => job.body()), query));
  });

  app.get('/v1/batches/:id', (c) => c.json(jobs.get(c.req.param('id')).body()));

  app.post('/v1/batches/:id/cancel', (c) => {
    const job = jobs.get(c.req.param('id'));
    if (job.status === 'validating' || job.status === 'in_progress') {
      job.moveTo('cancelling');
      job.cancelled.abort();
    } else if (job.status !== 'cancelling' && job.status !== 'cancelled') {
      throw new InvalidRequestError(`Cannot cancel a batch with status '${job.status}'.`, 'batch_id');
    }
    return c.json(job.body());
  });
}
