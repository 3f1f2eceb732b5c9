/**
 * The Responses API room: POST /v1/responses, and the stored responses' GET, DELETE,
 * GET input_items and POST cancel, in OpenAI's shapes and errors.
 */
import type { Hono } from 'hono';
import { errorResponse, InvalidRequestError } from '../errors';
import { check } from '../request';
import { createResponse, type ResponsesRoom } from './create';
import { currentResponse, ResponseStore, type StoredResponse } from './store';
import type { Item } from './types';

const notFound = (id: string) => errorResponse(404, `Response with id '${id}' not found.`, 'invalid_request_error');

/** OpenAI's cursor list of items: newest first by default, `limit` 1..100 (default 20), after an item id. */
function itemList(items: readonly Item[], query: Record<string, string>) {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  check(Number.isInteger(limit) && limit >= 1 && limit <= 100, "Invalid value for 'limit': expected an integer from 1 to 100.", 'limit');
  const order = query.order ?? 'desc';
  check(order === 'asc' || order === 'desc', "Invalid value for 'order': expected 'asc' or 'desc'.", 'order');
  const ordered = order === 'asc' ? [...items] : [...items].reverse();
  const start = query.after === undefined ? 0 : ordered.findIndex((item) => item.id === query.after) + 1;
  check(start > 0 || query.after === undefined, `No input item with id '${query.after}'.`, 'after');
  const data = ordered.slice(start, start + limit);
  // The published schema requires string ids even for an empty page.
  return { object: 'list', data, first_id: data[0]?.id ?? '', last_id: data[data.length - 1]?.id ?? '', has_more: start + limit < ordered.length };
}

export function mountResponses(app: Hono, shared: Omit<ResponsesRoom, 'store'>): void {
  const room: ResponsesRoom = { ...shared, store: new ResponseStore(shared.options.responsesMaxEntries) };
  const now = () => room.options.now();
  const stored = (id: string, found: (record: StoredResponse) => Response) => {
    const record = room.store.get(id);
    return record ? found(record) : notFound(id);
  };

  app.post('/v1/responses', (c) => createResponse(c.req.raw, room));

  app.get('/v1/responses/:id', (c) => {
    if (c.req.query('stream') === 'true') throw new InvalidRequestError('The simulator does not resume response streams.', 'stream');
    return stored(c.req.param('id'), (record) => c.json(currentResponse(record, now())));
  });

  app.delete('/v1/responses/:id', (c) => {
    const id = c.req.param('id');
    return room.store.delete(id) ? c.json({ id, object: 'response', deleted: true }) : notFound(id);
  });

  app.get('/v1/responses/:id/input_items', (c) => stored(c.req.param('id'), (record) => c.json(itemList(record.inputItems, c.req.query()))));

  // Only background responses can be cancelled; cancelling one that is already done changes nothing.
  app.post('/v1/responses/:id/cancel', (c) =>
    stored(c.req.param('id'), (record) => {
      const background = record.background;
      if (!background) throw new InvalidRequestError('Only responses created with background=true can be cancelled.', null);
      if (now() < background.readyAtMs) background.cancelled = true;
      return c.json(currentResponse(record, now()));
    }),
  );
}
