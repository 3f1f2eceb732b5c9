/**
 * Runs a batch. Each line is dispatched, one after another, into the simulator's own app as the
 * online request it describes, so it gets exactly the answer, usage and faults that request
 * would; the runner knows no endpoint. Answers with a 2xx status go to the output file, the
 * others to the error file, both as OpenAI's per-line `BatchRequestOutput`.
 */
import { sleep } from '../timing';
import type { BatchJob } from './batch';
import type { FileStore } from './files';
import type { BatchError, BatchInput, BatchLine } from './input';
import { randomId } from './ids';
import type { BatchKnobs } from './metadata';
import { addUsage } from './usage';

export type Dispatch = (request: Request) => Promise<Response>;

export type BatchPlan = { input: BatchInput; knobs: BatchKnobs; outputExpiresAfter: number | undefined };

type OutputLine = {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
};

type Answered = { ok: boolean; body: unknown; output: OutputLine };

/** Lines are requests to this app, not to the network; the origin only makes the URL whole. */
const ORIGIN = 'http://simulator.invalid';
const EXPIRED = { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' };

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function answer(line: BatchLine, dispatch: Dispatch, signal: AbortSignal): Promise<Answered> {
  const request = new Request(new URL(line.url, ORIGIN), {
    method: line.method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(line.body),
    signal,
  });
  const response = await dispatch(request);
  const body = json(await response.text());
  const output = { id: randomId('batch_req_'), custom_id: line.custom_id };
  if (body === undefined) {
    const error = { code: 'invalid_response', message: `The answer (status ${response.status}) was not a JSON body.` };
    return { ok: false, body, output: { ...output, response: null, error } };
  }
  const request_id = response.headers.get('x-request-id') ?? randomId('req_');
  return { ok: response.ok, body, output: { ...output, response: { status_code: response.status, request_id, body }, error: null } };
}

function validationErrors(plan: BatchPlan): BatchError[] {
  const line = plan.knobs.failValidationLine;
  if (line === null) return plan.input.errors;
  return [...plan.input.errors, { code: 'invalid_request', message: 'Simulated validation failure (metadata sim_fail_validation).', param: null, line }];
}

function jsonl(lines: readonly OutputLine[]): Uint8Array {
  return new TextEncoder().encode(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}

async function run(job: BatchJob, plan: BatchPlan, dispatch: Dispatch, files: FileStore): Promise<void> {
  const signal = job.cancelled.signal;
  const errors = validationErrors(plan);
  if (errors.length > 0) {
    job.errors = errors;
    job.moveTo('failed');
    return;
  }
  job.model = plan.input.model ?? undefined;
  job.counts.total = plan.input.lines.length;
  job.moveTo('in_progress');
  await sleep(plan.knobs.completionMs, signal);

  const outputs: OutputLine[] = [];
  const failures: OutputLine[] = [];
  let expired = false;
  for (const [index, line] of plan.input.lines.entries()) {
    if (signal.aborted) break;
    if (plan.knobs.expireAfter !== null && index >= plan.knobs.expireAfter) {
      expired = true;
      failures.push(...plan.input.lines.slice(index).map((rest) => ({ id: randomId('batch_req_'), custom_id: rest.custom_id, response: null, error: EXPIRED })));
      break;
    }
    // A line still in flight when the batch is cancelled does not count, however it ends.
    const answered = await answer(line, dispatch, signal).catch((error: unknown) => {
      if (signal.aborted) return null;
      throw error;
    });
    if (signal.aborted || answered === null) break;
    (answered.ok ? outputs : failures).push(answered.output);
    job.counts[answered.ok ? 'completed' : 'failed'] += 1;
    job.usage = addUsage(job.usage, answered.body);
  }

  if (!signal.aborted) job.moveTo('finalizing');
  const write = (lines: OutputLine[], kind: string) =>
    lines.length === 0 ? undefined : files.add(`${job.id}_${kind}.jsonl`, 'batch_output', jsonl(lines), plan.outputExpiresAfter).id;
  job.outputFileId = write(outputs, 'output');
  job.errorFileId = write(failures, 'error');
  job.moveTo(signal.aborted ? 'cancelled' : expired ? 'expired' : 'completed');
}

/** Starts the batch in the background; a fault of the simulator itself fails the batch rather than leaving it stuck. */
export function startBatch(job: BatchJob, plan: BatchPlan, dispatch: Dispatch, files: FileStore): void {
  run(job, plan, dispatch, files).catch((error: unknown) => {
    job.errors = [{ code: 'server_error', message: `Simulator error: ${String(error)}`, param: null, line: null }];
    job.moveTo('failed');
  });
}
