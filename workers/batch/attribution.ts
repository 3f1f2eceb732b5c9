import { and, eq, inArray, sql } from "drizzle-orm";
import { type Attribution, endUserOfBody } from "../attribution/attribution";
import { mergeTags, type Tags } from "../attribution/tags";
import type { Db } from "../db/client";
import { batchLineUsers } from "../db/schema";
import { ApiError, badRequest } from "../errors";

/**
 * A batch's lines are attributed as online calls are: the creating call's x-nanometer-tags and
 * x-nanometer-user (kept in the batch's meta), then each line's own body (a task item's `tags`
 * and `user`; a Batch API line's `safety_identifier` or `user`), the header's end user first.
 */

/** One line's attribution: the batch's (from its creating call's headers), then the line's body. */
export function lineAttribution(batch: Partial<Attribution>, body: Partial<Attribution>): Attribution {
  return { tags: mergeTags(batch.tags ?? {}, body.tags ?? {}), endUser: batch.endUser ?? body.endUser ?? null };
}

/** A Batch API line's end user, or a 400 naming the line whose safety_identifier or user is bad. */
export function lineEndUser(body: unknown, where: string): string | null {
  try {
    return endUserOfBody(body);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) throw badRequest(`${where}: ${err.message}`, "input_file_id");
    throw err;
  }
}

/** A task item's tags with the batch's: a name both give with two values is a 400 naming the item. */
export function checkItemTags(batchTags: Tags, itemTags: Tags | undefined, i: number): void {
  try {
    mergeTags(batchTags, itemTags ?? {});
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) throw badRequest(`items.${i}.${err.message}`, `items.${i}.${err.field ?? "tags"}`);
    throw err;
  }
}

/** Lines' end users a statement writes, as one JSON parameter (D1 binds at most 100 values). */
const USERS_PER_INSERT = 5_000;

/** Keeps the end users the input file's lines name, until the batch is metered. */
export async function recordLineUsers(db: Db, batchId: string, endUsers: [string, string][]): Promise<void> {
  const inserts = [];
  for (let i = 0; i < endUsers.length; i += USERS_PER_INSERT) {
    const pairs = JSON.stringify(endUsers.slice(i, i + USERS_PER_INSERT));
    inserts.push(
      db.run(sql`INSERT OR IGNORE INTO ${batchLineUsers} (batch_id, custom_id, end_user)
        SELECT ${batchId}, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${pairs})`),
    );
  }
  await Promise.all(inserts);
}

/** The end users of these lines (those that name one). */
export async function lineUsers(db: Db, batchId: string, customIds: string[]): Promise<Map<string, string>> {
  if (customIds.length === 0) return new Map();
  const rows = await db
    .select({ customId: batchLineUsers.customId, endUser: batchLineUsers.endUser })
    .from(batchLineUsers)
    .where(and(eq(batchLineUsers.batchId, batchId), inArray(batchLineUsers.customId, sql`(SELECT value FROM json_each(${JSON.stringify(customIds)}))`)));
  return new Map(rows.map((r) => [r.customId, r.endUser]));
}

/** Once every line is metered, its end users are no longer needed. */
export async function forgetLineUsers(db: Db, batchId: string): Promise<void> {
  await db.delete(batchLineUsers).where(eq(batchLineUsers.batchId, batchId));
}
