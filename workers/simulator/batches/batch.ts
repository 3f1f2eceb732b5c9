/**
 * A batch job: its state as it moves validating → in_progress → finalizing → completed (or
 * failed, expired, cancelling → cancelled), each move stamped `<status>_at` by the injectable
 * clock, and its wire shape, OpenAI's `Batch`. Jobs are kept in memory, bounded.
 */
import { InvalidRequestError } from '../errors';
import type { BatchError } from './input';
import { randomId } from './ids';
import type { Metadata } from './metadata';
import { emptyUsage, type BatchUsage } from './usage';

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
type Stamp = `${Exclude<BatchStatus, 'validating'>}_at`;

const TERMINAL: readonly BatchStatus[] = ['failed', 'completed', 'expired', 'cancelled'];
const COMPLETION_WINDOW_SECONDS = 24 * 60 * 60;
const MAX_BATCHES = 10_000;

export type BatchRequest = { endpoint: string; input_file_id: string; completion_window: string; metadata: Metadata | null };

export class BatchJob {
  readonly id = randomId('batch_');
  status: BatchStatus = 'validating';
  model: string | undefined;
  errors: BatchError[] | undefined;
  outputFileId: string | undefined;
  errorFileId: string | undefined;
  readonly counts = { total: 0, completed: 0, failed: 0 };
  usage: BatchUsage = emptyUsage();
  /** Aborted by a cancel: stops the wait and the line in flight. */
  readonly cancelled = new AbortController();
  private readonly createdAt: number;
  private readonly stamps: Partial<Record<Stamp, number>> = {};

  constructor(
    readonly request: BatchRequest,
    private readonly now: () => number,
  ) {
    this.createdAt = this.seconds();
  }

  get terminal(): boolean {
    return TERMINAL.includes(this.status);
  }

  moveTo(status: Exclude<BatchStatus, 'validating'>): void {
    this.status = status;
    this.stamps[`${status}_at`] = this.seconds();
  }

  /** OpenAI's `Batch`; what has not happened is left out (the schema types those fields without null). */
  body() {
    const { endpoint, input_file_id, completion_window, metadata } = this.request;
    return {
      id: this.id,
      object: 'batch' as const,
      endpoint,
      ...(this.model === undefined ? {} : { model: this.model }),
      ...(this.errors === undefined ? {} : { errors: { object: 'list', data: this.errors } }),
      input_file_id,
      completion_window,
      status: this.status,
      ...(this.outputFileId === undefined ? {} : { output_file_id: this.outputFileId }),
      ...(this.errorFileId === undefined ? {} : { error_file_id: this.errorFileId }),
      created_at: this.createdAt,
      expires_at: this.createdAt + COMPLETION_WINDOW_SECONDS,
      ...this.stamps,
      request_counts: { ...this.counts },
      usage: this.usage,
      metadata,
    };
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

export class BatchJobs {
  /** Insertion order is creation order. */
  private readonly jobs = new Map<string, BatchJob>();

  add(job: BatchJob): void {
    this.jobs.set(job.id, job);
    for (const old of this.jobs.values()) {
      if (this.jobs.size <= MAX_BATCHES) break;
      if (old.terminal) this.jobs.delete(old.id);
    }
  }

  get(id: string): BatchJob {
    const job = this.jobs.get(id);
    if (!job) throw new InvalidRequestError(`No batch found with id '${id}'.`, 'batch_id', null, 404);
    return job;
  }

  /** Oldest first. */
  list(): BatchJob[] {
    return [...this.jobs.values()];
  }
}
