import type { Context } from "hono";
import { z } from "zod";
import type { OwnedObject } from "../db/schema";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { validate } from "../http/body";
import { canRead, type OwnedKind, ownedList, ownerOf } from "../keys/owned";

/** How many owned rows one read scans when a filter (purpose, expiry) may leave some out. */
const SCAN = 200;

/** OpenAI's list query: `limit`, `after` (an id), `order` where the endpoint has one. */
export const listQuery = (maxLimit: number, defaultLimit: number) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    after: z.string().min(1).max(200).optional(),
    order: z.enum(["asc", "desc"]).default("desc"),
  });

/**
 * One page of the caller's objects of a kind (the admin's: all), in OpenAI's cursor order, that
 * `keep` keeps; `hasMore` when another page follows. `after` must be one of the caller's.
 */
export async function ownedPage(c: Context<AppEnv>, kind: OwnedKind, query: Record<string, string>, maxLimit: number, defaultLimit: number, keep = (_: OwnedObject) => true) {
  const q = validate(listQuery(maxLimit, defaultLimit), query);
  const db = c.get("db");
  let cursor: OwnedObject | undefined;
  if (q.after !== undefined) {
    cursor = await ownerOf(db, kind, q.after);
    if (!cursor || !canRead(c.get("caller"), cursor)) throw badRequest(`after: no ${kind} with id ${q.after}`, "after");
  }
  const found: OwnedObject[] = [];
  for (;;) {
    const rows = await ownedList(db, c.get("caller"), kind, SCAN, cursor, q.order);
    found.push(...rows.filter(keep));
    cursor = rows.at(-1);
    if (found.length > q.limit || rows.length < SCAN) break;
  }
  return { objects: found.slice(0, q.limit), hasMore: found.length > q.limit };
}

/** OpenAI's list shape; an empty list has no first_id/last_id (its schema gives them no null). */
export function listJson<T extends { id: string }>(data: T[], hasMore: boolean) {
  const ends = data.length > 0 ? { first_id: data[0]!.id, last_id: data[data.length - 1]!.id } : {};
  return { object: "list" as const, data, ...ends, has_more: hasMore };
}
