/**
 * A batch's `metadata` (OpenAI's limits: 16 pairs, keys up to 64 characters, string values up
 * to 512), and the simulator knobs that ride in it, since a gateway passes metadata through but
 * not headers:
 *
 * - `sim_completion_ms`: wait this long before answering the lines (default: `batchCompletionMs`).
 * - `sim_expire_after`: answer only the first N lines, then expire the batch; the other lines
 *   go to the error file as `batch_expired`.
 * - `sim_fail_validation`: fail the batch at validation, with an error naming this line.
 */
import { InvalidRequestError } from '../errors';

export type Metadata = Record<string, string>;

export type BatchKnobs = {
  completionMs: number;
  expireAfter: number | null;
  failValidationLine: number | null;
};

export function parseMetadata(value: unknown): Metadata | null {
  if (value === undefined || value === null) return null;
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : null;
  const valid =
    entries !== null &&
    entries.length <= 16 &&
    entries.every(([key, text]) => key.length <= 64 && typeof text === 'string' && text.length <= 512);
  if (!valid) throw new InvalidRequestError("'metadata' must be up to 16 string pairs (keys up to 64 characters, values up to 512).", 'metadata');
  return Object.fromEntries(entries) as Metadata;
}

function knob(metadata: Metadata | null, name: string): number | null {
  const raw = metadata?.[name];
  if (raw === undefined) return null;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw new InvalidRequestError(`Simulator knob ${name}=${raw} is not a non-negative integer.`, `metadata.${name}`);
  }
  return value;
}

export function batchKnobs(metadata: Metadata | null, defaultCompletionMs: number): BatchKnobs {
  return {
    completionMs: knob(metadata, 'sim_completion_ms') ?? defaultCompletionMs,
    expireAfter: knob(metadata, 'sim_expire_after'),
    failValidationLine: knob(metadata, 'sim_fail_validation'),
  };
}
