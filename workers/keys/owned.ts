import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Context } from "hono";
import type { Db } from "../db/client";
import { type OwnedObject, ownedObjects } from "../db/schema";
import type { AppEnv, Caller } from "../env";
import { ApiError } from "../errors";

/** What nanometer stores upstream on a key's behalf. */
export type OwnedKind = "response" | "file" | "batch";

/** Records that `keyId` owns an object the upstream just created for it. Recording it twice is a no-op. */
export async function recordOwner(db: Db, object: Omit<OwnedObject, "createdAt"> & { createdAt?: number }): Promise<void> {
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
  const caller: Caller = c.get("caller");
  const [object] = await c
    .get("db")
    .select()
    .from(ownedObjects)
    .where(and(eq(ownedObjects.kind, kind), eq(ownedObjects.id, id)))
    .limit(1);
  if (!object || (caller.kind === "key" && object.keyId !== caller.key.id)) {
    throw new ApiError(404, "not_found", `no ${kind} with id ${id}`);
  }
  return object;
}

/** The caller's objects of a kind, newest first (the admin's: everyone's), `limit` of them before `before`. */
export function ownedList(db: Db, caller: Caller, kind: OwnedKind, limit: number, before?: number): Promise<OwnedObject[]> {
  return db
    .select()
    .from(ownedObjects)
    .where(
      and(
        eq(ownedObjects.kind, kind),
        caller.kind === "key" ? eq(ownedObjects.keyId, caller.key.id) : undefined,
        before === undefined ? undefined : lt(ownedObjects.createdAt, before),
      ),
    )
    .orderBy(desc(ownedObjects.createdAt))
    .limit(limit);
}

/** Objects of a kind still to be metered, oldest first: what the cron polls. */
export function openObjects(db: Db, kind: OwnedKind, limit: number): Promise<OwnedObject[]> {
  return db
    .select()
    .from(ownedObjects)
    .where(and(eq(ownedObjects.kind, kind), isNull(ownedObjects.settledAt)))
    .orderBy(ownedObjects.createdAt)
    .limit(limit);
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
