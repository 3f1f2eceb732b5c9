import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ApiKey, apiKeys } from "../db/schema";
import { type Digest, newApiKey, randomHex, sha256Hex } from "./secrets";

const LOOKUP_TTL_MS = 10_000;
/** Key lookups cached in the isolate: the hot path should not read D1 for every call. */
const lookups = new Map<string, { key: ApiKey | null; at: number }>();

export async function findActiveKey(db: Db, presented: Digest, now = Date.now()): Promise<ApiKey | null> {
  const hash = presented.hex;
  const hit = lookups.get(hash);
  if (hit && now - hit.at < LOOKUP_TTL_MS) return hit.key;
  const row = (await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)).limit(1))[0];
  const key = row && row.revokedAt === null ? row : null;
  if (lookups.size > 10_000) lookups.clear();
  lookups.set(hash, { key, at: now });
  return key;
}

export type KeySettings = Pick<ApiKey, "name" | "dailyBudgetMicro" | "monthlyBudgetMicro" | "rpm">;

export async function createKey(db: Db, input: KeySettings): Promise<{ row: ApiKey; secret: string }> {
  const secret = newApiKey();
  const row: ApiKey = {
    id: `key_${randomHex(8)}`,
    keyHash: await sha256Hex(secret),
    keyPrefix: secret.slice(0, 7),
    createdAt: Date.now(),
    revokedAt: null,
    ...input,
  };
  await db.insert(apiKeys).values(row);
  return { row, secret };
}

export function listKeys(db: Db): Promise<ApiKey[]> {
  return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
}

/**
 * Changes an active key's settings: the key, or null when there is no such active key. This
 * isolate sees the change at once, others within LOOKUP_TTL_MS.
 */
export async function updateKey(db: Db, id: string, settings: Partial<KeySettings>): Promise<ApiKey | null> {
  const [row] = await db
    .update(apiKeys)
    .set(settings)
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  if (row) lookups.delete(row.keyHash);
  return row ?? null;
}

/** Revokes a key (once: a second revoke keeps the first time). This isolate forgets it at once,
 * others within LOOKUP_TTL_MS. */
export async function revokeKey(db: Db, id: string): Promise<ApiKey | null> {
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  const row = revoked ?? (await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1))[0];
  if (row) lookups.delete(row.keyHash);
  return row ?? null;
}
