import { and, eq, sql } from "drizzle-orm";
import type { Batch } from "openai/resources/batches";
import type { Attribution } from "../attribution/attribution";
import type { FileObject } from "openai/resources/files";
import type { Db } from "../db/client";
import { type OwnedObject, ownedObjects } from "../db/schema";
import type { Env } from "../env";
import { ownerOf, recordOwner } from "../keys/owned";
import type { Endpoint } from "../metering/metered-request";
import { cancelBatch, retrieveBatch, retrieveFile } from "./upstream";

/**
 * What metering a batch needs, kept with its owner: the job (the ledger's endpoint), its one
 * model, and the creating call's attribution (its x-nanometer-tags and x-nanometer-user); and
 * the batch as the upstream last answered it, which GET /v1/batches lists.
 */
export interface BatchMeta extends Partial<Attribution> {
  job: Endpoint;
  model: string;
  batch?: Batch;
}

export const batchMeta = (owned: OwnedObject): BatchMeta => JSON.parse(owned.meta ?? "{}") as BatchMeta;

/** A file's owner, with its File object (what GET /v1/files lists); a file costs nothing later, so it is settled at once. */
export function recordFile(db: Db, file: FileObject, owner: Pick<OwnedObject, "keyId" | "requestId">): Promise<void> {
  const createdAt = Date.now();
  return recordOwner(db, { kind: "file", id: file.id, keyId: owner.keyId, requestId: owner.requestId, createdAt, settledAt: createdAt, meta: JSON.stringify(file) });
}

/**
 * Records the new batch's owner, open until it is metered. Should that fail, the batch is
 * cancelled upstream: a batch nobody owns would never be billed.
 */
export async function recordBatch(env: Env, db: Db, batch: Batch, owner: Pick<OwnedObject, "keyId" | "requestId">, meta: Omit<BatchMeta, "batch">): Promise<void> {
  try {
    await recordOwner(db, { kind: "batch", id: batch.id, keyId: owner.keyId, requestId: owner.requestId, settledAt: null, meta: JSON.stringify({ ...meta, batch }) });
  } catch (err) {
    await cancelBatch(env, batch.id).catch(() => undefined);
    throw err;
  }
}

/** The batch as the upstream has it now, kept as its last seen state (only that part of its record changes). */
export async function retrieveOwnedBatch(env: Env, db: Db, id: string): Promise<Batch> {
  const batch = await retrieveBatch(env, id);
  await recordSeen(db, batch);
  return batch;
}

/** Keeps `batch` (an upstream answer about it) as the batch's last seen state. */
export async function recordSeen(db: Db, batch: Batch): Promise<void> {
  await db
    .update(ownedObjects)
    .set({ meta: sql`json_set(${ownedObjects.meta}, '$.batch', json(${JSON.stringify(batch)}))` })
    .where(and(eq(ownedObjects.kind, "batch"), eq(ownedObjects.id, batch.id)));
}

/** A terminal batch's output and error files belong to its owner: recorded the first time they are seen. */
export async function recordResultFiles(env: Env, db: Db, batch: Batch, owner: OwnedObject): Promise<void> {
  for (const id of [batch.output_file_id, batch.error_file_id]) {
    if (!id || (await ownerOf(db, "file", id))) continue;
    await recordFile(db, await retrieveFile(env, id), owner);
  }
}
