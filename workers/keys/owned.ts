import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { Db } from "../db/client";
import { type NewOwnedObject, type OwnedObject, ownedObjects } from "../db/schema";
import type { AppEnv, Caller } from "../env";
import { ApiError } from "../errors";
import { type StoredReference, storedReferences } from "./references";

/** What nanometer stores upstream on a key's behalf; an item is one of a stored response's (its `requestId` is the response's). */
export type OwnedKind = "response" | "item" | "file" | "batch";

/** Records that `keyId` owns an object the upstream just created for it. Recording it twice is a no-op. */
export async function recordOwner(db: Db, object: Omit<NewOwnedObject, "createdAt"> & { createdAt?: number }): Promise<void> {
  await db
    .insert(ownedObjects)
    .values({ ...object, createdAt: object.createdAt ?? Date.now() })
    .onConflictDoNothing();
}

/**
 * The one guard of every route that reads or changes a stored object: the object if the caller
 * owns it (the admin owns all), else a 404, the same as for an id that does not exist, so a key
 * learns nothing of another key's objects, and nothing is forwarded upstream for it.
 */
export async function ownedBy(c: Context<AppEnv>, kind: OwnedKind, id: string): Promise<OwnedObject> {
  const object = await ownerOf(c.get("db"), kind, id);
  if (!object || !canRead(c.get("caller"), object)) throw notOwned({ kind, id });
  return object;
}

/** The guard's one answer for an object the caller may not use: the 404 of an id that exists nowhere. */
export const notOwned = ({ kind, id, field }: { kind: string; id: string; field?: string }) =>
  new ApiError(404, "not_found", `no ${kind} with id ${id}`, field === undefined ? {} : { field });

/** Ids per lookup: D1 binds at most 100 values to one statement. */
const IDS_PER_LOOKUP = 90;

/**
 * The same guard for the stored ids inside a request (references.ts), online or in a batch: each
 * named object if the caller owns it, in the order named, else `unowned`, the first it does not
 * (another key's, or one nanometer never made: a key uses only what it made through nanometer).
 * Callers answer it as `ownedBy` does (`notOwned`), or as the 400 of the batch line naming it.
 */
export async function ownedReferences<R extends StoredReference>(db: Db, caller: Caller, refs: readonly R[]): Promise<{ objects: OwnedObject[]; unowned: R | null }> {
  const found = new Map<string, OwnedObject>();
  const ids = new Map<string, Set<string>>();
  for (const { kind, id } of refs) ids.set(kind, (ids.get(kind) ?? new Set()).add(id));
  for (const [kind, all] of ids) {
    const list = [...all];
    for (let i = 0; i < list.length; i += IDS_PER_LOOKUP) {
      const rows = await db
        .select()
        .from(ownedObjects)
        .where(and(eq(ownedObjects.kind, kind), inArray(ownedObjects.id, list.slice(i, i + IDS_PER_LOOKUP))));
      for (const row of rows) found.set(`${kind}:${row.id}`, row);
    }
  }
  const objects: OwnedObject[] = [];
  for (const ref of refs) {
    const object = found.get(`${ref.kind}:${ref.id}`);
    if (!object || !canRead(caller, object)) return { objects, unowned: ref };
    objects.push(object);
  }
  return { objects, unowned: null };
}

/** The online guard of a request's stored ids: their objects, or the 404 naming the first the caller may not use. */
export async function ownedReferencesOf(c: Context<AppEnv>, request: Record<string, unknown>): Promise<OwnedObject[]> {
  const { objects, unowned } = await ownedReferences(c.get("db"), c.get("caller"), storedReferences(request));
  if (unowned) throw notOwned(unowned);
  return objects;
}

/** Whether the caller may see the object: its owner, or the admin. */
export const canRead = (caller: Caller, object: OwnedObject) => caller.kind === "admin" || object.keyId === caller.key.id;

/** Who owns an object, whoever asks: for the cron and for recording an object once. Routes use `ownedBy`. */
export async function ownerOf(db: Db, kind: OwnedKind, id: string): Promise<OwnedObject | undefined> {
  const [object] = await db
    .select()
    .from(ownedObjects)
    .where(and(eq(ownedObjects.kind, kind), eq(ownedObjects.id, id)))
    .limit(1);
  return object;
}

/**
 * The caller's objects of a kind (the admin's: everyone's), `limit` of them in creation order
 * (`desc`: newest first), after the object `after` in that order.
 */
export function ownedList(
  db: Db,
  caller: Caller,
  kind: OwnedKind,
  limit: number,
  after?: Pick<OwnedObject, "createdAt" | "id">,
  order: "asc" | "desc" = "desc",
): Promise<OwnedObject[]> {
  const [beyond, by] = order === "desc" ? [lt, desc] : [gt, asc];
  return db
    .select()
    .from(ownedObjects)
    .where(
      and(
        eq(ownedObjects.kind, kind),
        caller.kind === "key" ? eq(ownedObjects.keyId, caller.key.id) : undefined,
        // Ties in created_at are ordered by id, so a page never skips or repeats one.
        after === undefined
          ? undefined
          : or(beyond(ownedObjects.createdAt, after.createdAt), and(eq(ownedObjects.createdAt, after.createdAt), beyond(ownedObjects.id, after.id))),
      ),
    )
    .orderBy(by(ownedObjects.createdAt), by(ownedObjects.id))
    .limit(limit);
}

/** Forgets an object deleted upstream: it no longer lists, and its id is a 404 to every caller. */
export async function forgetOwned(db: Db, kind: OwnedKind, id: string): Promise<void> {
  await db.delete(ownedObjects).where(and(eq(ownedObjects.kind, kind), eq(ownedObjects.id, id)));
}

/**
 * The open objects of a kind the cron asks about next, `limit` of them, fair across keys: each
 * key's least recently polled first (then oldest), one key's turn after another's, so one key's
 * many objects that never end cannot keep another key's from being polled. They are marked
 * polled at `now`, so the next run goes on with the ones this one left.
 */
export async function nextToPoll(db: Db, kind: OwnedKind, limit: number, now: number): Promise<OwnedObject[]> {
  const o = ownedObjects;
  const lastPolled = sql`coalesce(${o.polledAt}, 0)`;
  const ranked = db
    .select({ id: o.id, turn: sql<number>`row_number() over (partition by ${o.keyId} order by ${lastPolled}, ${o.createdAt}, ${o.id})`.as("turn") })
    .from(o)
    .where(and(eq(o.kind, kind), isNull(o.settledAt)))
    .as("ranked");
  const picked = await db
    .select(getTableColumns(o))
    .from(o)
    .innerJoin(ranked, and(eq(o.kind, kind), eq(o.id, ranked.id)))
    .orderBy(sql`${ranked.turn}`, lastPolled, o.createdAt, o.id)
    .limit(limit);
  if (picked.length > 0) {
    await db.update(o).set({ polledAt: now }).where(and(eq(o.kind, kind), inArray(o.id, picked.map((p) => p.id))));
  }
  return picked;
}

/**
 * Marks an object settled, once: true for the one caller that settled it, false when another had
 * already (a concurrent GET, or the cron). Metering itself stays exactly-once through the ledger's
 * unique (request_id, attempt); this only stops the cron from polling it again.
 */
export async function settle(db: Db, kind: OwnedKind, id: string, at = Date.now()): Promise<boolean> {
  const changed = await db
    .update(ownedObjects)
    .set({ settledAt: at })
    .where(and(eq(ownedObjects.kind, kind), eq(ownedObjects.id, id), isNull(ownedObjects.settledAt)))
    .returning({ id: ownedObjects.id });
  return changed.length > 0;
}
