/** OpenAI's cursor lists (`limit`, `after`, `has_more`), shared by files and batches. */
import { InvalidRequestError } from '../errors';

export type ListQuery = { limit: number; after: string | null; order: 'asc' | 'desc' };

export type Page<T> = { object: 'list'; data: T[]; first_id?: string; last_id?: string; has_more: boolean };

/** `limit` (1..maxLimit), `after` and `order` from the query string; an out-of-range value is a 400. */
export function listQuery(params: URLSearchParams, defaults: { limit: number; maxLimit: number; order: 'asc' | 'desc' }): ListQuery {
  const rawLimit = params.get('limit');
  const limit = rawLimit === null ? defaults.limit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > defaults.maxLimit) {
    throw new InvalidRequestError(`'limit' must be an integer between 1 and ${defaults.maxLimit}.`, 'limit');
  }
  const order = params.get('order') ?? defaults.order;
  if (order !== 'asc' && order !== 'desc') throw new InvalidRequestError("'order' must be asc or desc.", 'order');
  return { limit, after: params.get('after'), order };
}

/**
 * One page of `items` (given oldest first), in the query's order, starting after the `after`
 * id. An empty page has no `first_id`/`last_id`: the published schema gives them no null.
 */
export function page<T extends { id: string }>(items: readonly T[], query: ListQuery): Page<T> {
  const ordered = query.order === 'asc' ? items : [...items].reverse();
  const start = query.after === null ? 0 : ordered.findIndex((item) => item.id === query.after) + 1;
  if (start === 0 && query.after !== null) throw new InvalidRequestError(`No object with id '${query.after}' to list after.`, 'after');
  const data = ordered.slice(start, start + query.limit);
  const ends = data.length > 0 ? { first_id: data[0]!.id, last_id: data[data.length - 1]!.id } : {};
  return { object: 'list', data, ...ends, has_more: start + data.length < ordered.length };
}
