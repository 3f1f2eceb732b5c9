import { and, eq, exists, isNotNull, ne, or, type SQL, sql, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledger, rollup, rollupTags, rollupUserDays, rollupUsers } from "../db/schema";
import { COUNTS, type Metrics, MOMENTS, MONEY } from "./metrics";
import { inColumnOrder, type ledgerSumsOf, snake, storedSumsOver } from "./sums";

const METRICS = [...COUNTS, ...MONEY, ...MOMENTS];

/**
 * The attribution rollups of one day (db/schema.ts: rollup_tags, rollup_users), written by the
 * daily check (rollup.ts) chunk by chunk, the day marked incomplete meanwhile. Besides each
 * value's row, each rollup group's calls without a value are stored as the value '' (tag values
 * and end users are never empty): per tag name the day's calls carry, and for end users on a day
 * that has any. So a query sums one table;
 * a day without the tag name, or without end users, is read from `rollup` (dimension.ts). And
 * each key's end users' day in one row, `rollup_user_days`, for the top end users (users.ts).
 */

/** A chunk of a day's ledger rows (rollup-check.ts), summed as the check's snapshot saw them. */
interface Chunk {
  day: string;
  rows: SQL;
  sums: ReturnType<typeof ledgerSumsOf>;
}

/** A rollup group's columns for a day's ledger rows, as `rollup` has them. */
const groupOf = ({ day, sums }: Chunk) => ({
  day: sql<string>`${day}`.as("day"),
  keyId: ledger.keyId,
  endpoint: ledger.endpoint,
  model: sums.groupModel.as("model"),
  serviceTier: sums.groupTier.as("service_tier"),
});
// Endpoint first, as in the day's rollup: so SQLite reads the day's range of ledger_time.
const groupBy = ({ sums }: Chunk) => [ledger.endpoint, ledger.keyId, sums.groupModel, sums.groupTier] as const;

/** Each metric added to the row already there: the day's sums grow chunk by chunk. */
const addedUp = (table: typeof rollupTags | typeof rollupUsers) =>
  Object.fromEntries(METRICS.map((m) => [m, sql`${table[m]} + excluded.${sql.raw(snake(m))}`]));

/**
 * A chunk of the ledger's tagged calls summed per rollup group × tag name × tag value, added to
 * the day's rows: first per group × set of tags (each row's sums computed once, however many tags
 * it has), then each set split into its tags (SQLite's json_each over the canonical JSON) and summed again.
 */
export function addTagSums(db: Db, chunk: Chunk) {
  const sets = db
    .select({ ...groupOf(chunk), tags: ledger.tags, ...chunk.sums.toStore })
    .from(ledger)
    .where(and(chunk.rows, isNotNull(ledger.tags)))
    .groupBy(...groupBy(chunk), ledger.tags)
    .as("sets");
  const [tagName, tagValue] = [sql<string>`tag.key`, sql<string>`tag.value`];
  const { day: _, keyId, endpoint, model, serviceTier } = sets;
  const t = rollupTags;
  const select = db
    .select(inColumnOrder(t, { day: sets.day, keyId, endpoint, model, serviceTier, tagName: tagName.as("tag_name"), tagValue: tagValue.as("tag_value"), ...storedSumsOver(sets) }))
    .from(sets)
    .crossJoin(sql`json_each(${sets.tags}) as tag`)
    // SQLite reads `… ON CONFLICT` after a SELECT without WHERE as a join's ON.
    .where(sql`true`)
    .groupBy(endpoint, keyId, sql`${model}`, sql`${serviceTier}`, tagName, tagValue);
  return db
    .insert(t)
    .select(select)
    .onConflictDoUpdate({ target: [t.day, t.tagName, t.tagValue, t.keyId, t.endpoint, t.model, t.serviceTier], set: addedUp(t) });
}

/** A chunk of the ledger's calls with an end user summed per rollup group × end user, added to the day's rows. */
export function addUserSums(db: Db, chunk: Chunk) {
  const u = rollupUsers;
  const select = db
    .select(inColumnOrder(u, { ...groupOf(chunk), endUser: sql<string>`${ledger.endUser}`.as("end_user"), ...chunk.sums.toStore }))
    .from(ledger)
    .where(and(chunk.rows, isNotNull(ledger.endUser)))
    .groupBy(...groupBy(chunk), ledger.endUser);
  return db
    .insert(u)
    .select(select)
    .onConflictDoUpdate({ target: [u.day, u.endUser, u.keyId, u.endpoint, u.model, u.serviceTier], set: addedUp(u) });
}

const rolledGroup = { day: rollup.day, keyId: rollup.keyId, endpoint: rollup.endpoint, model: rollup.model, serviceTier: rollup.serviceTier };

/** A day's valued rows summed per rollup group (and tag name), to subtract from `rollup`'s. */
function valuedSums(db: Db, day: string, table: typeof rollupTags | typeof rollupUsers) {
  const byName: Record<string, typeof rollupTags.tagName> = "tagName" in table ? { tagName: rollupTags.tagName } : {};
  const value = "tagName" in table ? rollupTags.tagValue : rollupUsers.endUser;
  return db
    .select({ keyId: table.keyId, endpoint: table.endpoint, model: table.model, serviceTier: table.serviceTier, ...byName, ...storedSumsOver(table) })
    .from(table as typeof rollupTags)
    .where(and(eq(table.day, day), ne(value, "")))
    .groupBy(table.keyId, table.endpoint, table.model, table.serviceTier, ...Object.values(byName))
    .as("valued");
}

/** `rollup`'s sums less `valued`'s, and whether any call is left (a count or an amount not 0). */
function rest(valued: ReturnType<typeof valuedSums>) {
  const v = valued as unknown as Record<string, SQLWrapper>;
  // Qualified by hand: Drizzle leaves a subquery's aliased sums unqualified, and `rollup` has the same names.
  const left = Object.fromEntries(METRICS.map((m) => [m, sql<number>`${rollup[m]} - coalesce(${sql.raw(`"valued"."${snake(m)}"`)}, 0)`]));
  // The moments are floating point: with no pair left, 0 rather than a rounding residue.
  for (const m of MOMENTS) left[m] = sql<number>`case when ${left.pairs} = 0 then 0 else ${left[m]} end`;
  return {
    sums: Object.fromEntries(METRICS.map((m) => [m, left[m]!.as(snake(m))])) as Record<keyof Metrics, SQL.Aliased<number>>,
    anyLeft: or(...[...COUNTS, ...MONEY].map((m) => ne(left[m]!, 0))),
    sameGroup: and(eq(rollup.keyId, v.keyId!), eq(rollup.endpoint, v.endpoint!), eq(rollup.model, v.model!), eq(rollup.serviceTier, v.serviceTier!)),
  };
}

/** Per tag name the day's calls carry, each group's calls without that tag. */
export function dayUntaggedSums(db: Db, day: string) {
  const valued = valuedSums(db, day, rollupTags);
  const names = db.selectDistinct({ name: rollupTags.tagName }).from(rollupTags).where(eq(rollupTags.day, day)).as("names");
  const { sums, anyLeft, sameGroup } = rest(valued);
  return db
    .select(inColumnOrder(rollupTags, { ...rolledGroup, tagName: names.name, tagValue: sql<string>`''`.as("tag_value"), ...sums }))
    .from(rollup)
    .crossJoin(names)
    .leftJoin(valued, and(sameGroup, eq(sql`${(valued as unknown as Record<string, SQLWrapper>).tagName}`, names.name)))
    .where(and(eq(rollup.day, day), anyLeft));
}

/** On a day with any end user, each group's calls without one. */
export function dayNoUserSums(db: Db, day: string) {
  const valued = valuedSums(db, day, rollupUsers);
  const { sums, anyLeft, sameGroup } = rest(valued);
  const anyUser = exists(db.select({ one: sql`1` }).from(rollupUsers).where(eq(rollupUsers.day, day)));
  return db
    .select(inColumnOrder(rollupUsers, { ...rolledGroup, endUser: sql<string>`''`.as("end_user"), ...sums }))
    .from(rollup)
    .leftJoin(valued, sameGroup)
    .where(and(eq(rollup.day, day), anyLeft, anyUser));
}

/** Each key's end users' day, one row each, from the day's `rollup_users`. */
export function dayUserTotals(db: Db, day: string) {
  const sum = (column: SQLWrapper, name: string) => sql<number>`sum(${column})`.as(name);
  const u = rollupUsers;
  return db
    .select(
      inColumnOrder(rollupUserDays, {
        day: u.day,
        keyId: u.keyId,
        endUser: u.endUser,
        ...(Object.fromEntries(USER_SUMS.map((m) => [m, sum(u[m], snake(m))])) as Record<(typeof USER_SUMS)[number], SQL.Aliased<number>>),
      }),
    )
    .from(u)
    .where(and(eq(u.day, day), ne(u.endUser, "")))
    .groupBy(u.keyId, u.endUser);
}
const USER_SUMS = ["requests", "errors", "inputTokens", "cachedTokens", "cacheWriteTokens", "outputTokens", "reasoningTokens", "costPico", "miniCostPico"] as const;

/** The day's attribution rollups emptied, before the check adds its chunks (rollup.ts). */
export const clearAttribution = (db: Db, day: string) =>
  [db.delete(rollupTags).where(eq(rollupTags.day, day)), db.delete(rollupUsers).where(eq(rollupUsers.day, day)), db.delete(rollupUserDays).where(eq(rollupUserDays.day, day))] as const;

/** A chunk's attribution sums added to the day's (rollup.ts). */
export const addAttribution = (db: Db, chunk: Chunk) => [addTagSums(db, chunk), addUserSums(db, chunk)] as const;

/** After the chunks and the day's `rollup` mended: each group's calls without a value, and the end users' day. */
export const finishAttribution = (db: Db, day: string) =>
  [
    db.insert(rollupTags).select(dayUntaggedSums(db, day)),
    db.insert(rollupUsers).select(dayNoUserSums(db, day)),
    db.insert(rollupUserDays).select(dayUserTotals(db, day)),
  ] as const;
