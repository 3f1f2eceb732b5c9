import { and, eq, exists, lt, sql } from "drizzle-orm";
import { QueryBuilder, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { keySpend, ledger, rollup, rollupAll, rollupAllTiers, rollupDays } from "../db/schema";
import { type Env, numberVar } from "../env";
import { badRequest } from "../errors";
import { addDays, DAY_MS, dayOf, dayStartMs } from "./days";
import { COUNTS, type Measured, measuredOf, MONEY, sumMeasured } from "./metrics";
import { addAttribution, clearAttribution, finishAttribution } from "./rollup-attribution";
import { addMissedPrefix, CHUNK_ROWS, chunkRows as rowsOf, chunkSums, dayChunks, differences, type GroupSums, keptRows, mend, mergeGroups } from "./rollup-check";
import { inColumnOrder, ledgerDay, ledgerSumsOf, readSums, rollupSums, storedSumsOver } from "./sums";

/** The scheduled job checks yesterday and the three days before it (a late row counts at once; the check keeps it exact). */
export const ROLL_DAYS = 4;
export const DEFAULT_RETENTION_DAYS = 90;

/** RETENTION_DAYS, never shorter than the days the job checks (their ledger must still be there). */
export function retentionDays(env: Env): number {
  return Math.max(ROLL_DAYS, Math.floor(numberVar(env.RETENTION_DAYS, DEFAULT_RETENTION_DAYS)));
}

/** A day checked after it ended is complete: its prefix and attribution figures are read from the rollups, not the ledger. */
export const isComplete = sql`${rollupDays.rolledAt} >= (unixepoch(${rollupDays.day}) + 86400) * 1000`;

/** Whether the rollup of the ledger row's own day is complete. */
export const ledgerDayComplete = exists(
  new QueryBuilder()
    .select({ one: sql`1` })
    .from(rollupDays)
    .where(and(eq(rollupDays.day, ledgerDay), isComplete)),
);

export interface RolledDay {
  day: string;
  rolledAt: number;
  complete: boolean;
  groups: number;
  totals: Measured;
  /** The check: chunks of the ledger it read, and groups whose kept sums differed from the ledger's (mended, logged). */
  chunks: number;
  repaired: number;
}

/** One day's `rollup` rows summed into `groups`, in `table`'s column order. */
function daySums<G extends Record<string, SQLiteColumn>>(db: Db, day: string, table: SQLiteTable, groups: G) {
  return db
    .select(inColumnOrder(table, { ...groups, ...storedSumsOver(rollup) }))
    .from(rollup)
    .where(eq(rollup.day, day))
    .groupBy(...Object.values(groups));
}

/**
 * The levels kept beside `rollup` by its triggers (migrations 0016, 0017), a day of each made
 * again from it in case anything else wrote them: its rows summed over keys, and over tiers.
 */
const remakeLevels = (db: Db, day: string) => {
  const { keyId, endpoint, model, serviceTier } = rollup;
  return [
    db.delete(rollupAll).where(eq(rollupAll.day, day)),
    db.insert(rollupAll).select(daySums(db, day, rollupAll, { day: rollup.day, endpoint, model, serviceTier })),
    db.delete(rollupAllTiers).where(eq(rollupAllTiers.day, day)),
    db.insert(rollupAllTiers).select(daySums(db, day, rollupAllTiers, { day: rollup.day, keyId, endpoint, model })),
  ] as const;
};

/** Mends per D1 batch: each is one small upsert. */
const MENDS_PER_BATCH = 200;
const noCall = and(...[...COUNTS, ...MONEY].map((m) => eq(rollup[m], 0)));

/**
 * Checks and repairs one day's rollup against the ledger. `rollup` (and with it its LEVELS) is
 * kept row by row by the ledger's triggers (migration 0016); this sums the day's ledger again as
 * a snapshot (its rows up to the highest id when it starts), in chunks of at most CHUNK_ROWS rows
 * so that every statement stays far inside D1's limits, compares each group, and adds what
 * differs to the kept row (a delta: rows written meanwhile keep counting), logging each mend.
 * Then the day's figures only the whole day gives: the prompt prefix billed uncached and the
 * attribution rollups, rebuilt chunk by chunk while the day reads as incomplete (from the ledger).
 */
export async function rollDay(db: Db, day: string, now: number, retention: number, chunkRows = CHUNK_ROWS): Promise<RolledDay> {
  const start = dayStartMs(day);
  if (start < dayStartMs(dayOf(now)) - retention * DAY_MS) {
    const [done] = await db.select().from(rollupDays).where(and(eq(rollupDays.day, day), isComplete));
    if (done) throw badRequest(`the ledger of ${day} is past retention (${retention} days); its rollup stands`, "day");
  }
  const [[top], kept] = await db.batch([
    db.select({ upTo: sql<number>`coalesce(max(${ledger.id}), 0)`.mapWith(Number) }).from(ledger),
    keptRows(db, day),
    db.insert(rollupDays).values({ day, rolledAt: 0 }).onConflictDoUpdate({ target: rollupDays.day, set: { rolledAt: 0 } }),
    ...clearAttribution(db, day),
  ]);
  const upTo = top!.upTo;
  const sums = ledgerSumsOf(upTo);
  const spans = await dayChunks(db, day, chunkRows);
  const summed = new Map<string, GroupSums>();
  for (const span of spans) {
    const [rows] = await db.batch([chunkSums(db, span, upTo), ...addAttribution(db, { day, rows: rowsOf(span, upTo), sums })]);
    mergeGroups(summed, rows);
  }
  const found = differences(mergeGroups(new Map(), kept), summed);
  for (const d of found) console.warn("rollup repaired", JSON.stringify({ day, ...d.group, columns: d.columns }));
  for (let i = 0; i < found.length; i += MENDS_PER_BATCH) {
    const [first, ...rest] = found.slice(i, i + MENDS_PER_BATCH).map((d) => mend(db, day, d));
    await db.batch([first!, ...rest]);
  }
  await db.update(rollup).set({ prefixMissedTokens: 0 }).where(eq(rollup.day, day));
  for (const span of spans) await addMissedPrefix(db, day, span, upTo);
  const [, strata] = await db.batch([
    db.delete(rollup).where(and(eq(rollup.day, day), noCall)),
    db
      .select({ endpoint: rollup.endpoint, model: rollup.model, groups: sql<number>`count(*)`.mapWith(Number), ...rollupSums })
      .from(rollup)
      .where(eq(rollup.day, day))
      .groupBy(rollup.endpoint, rollup.model),
    ...remakeLevels(db, day),
    ...finishAttribution(db, day),
    db.insert(rollupDays).values({ day, rolledAt: now }).onConflictDoUpdate({ target: rollupDays.day, set: { rolledAt: now } }),
  ]);
  return {
    day,
    rolledAt: now,
    complete: now >= start + DAY_MS,
    groups: strata.reduce((n, s) => n + s.groups, 0),
    totals: sumMeasured(strata.map((s) => measuredOf(readSums<{ endpoint: string; model: string }>(s)))),
    chunks: spans.length,
    repaired: found.length,
  };
}

/** Deletes ledger rows older than `retention` days, only where their day's rollup is complete. */
export async function applyRetention(db: Db, now: number, retention: number): Promise<number> {
  const cutoff = dayStartMs(dayOf(now)) - retention * DAY_MS;
  const [result] = await db.batch([
    db.delete(ledger).where(and(lt(ledger.time, cutoff), ledgerDayComplete)),
    // Budgets read only today's spend: older key_spend rows need not outlive the ledger's.
    db.delete(keySpend).where(lt(keySpend.day, dayOf(cutoff))),
  ]);
  return result.meta.changes;
}

/** The cron's work: check yesterday and the three days before it, then apply retention. */
export async function runDailyRollup(db: Db, now: number, retention: number) {
  const today = dayOf(now);
  const rolled: RolledDay[] = [];
  for (let i = 1; i <= ROLL_DAYS; i++) rolled.push(await rollDay(db, addDays(today, -i), now, retention));
  return { rolled, deletedLedgerRows: await applyRetention(db, now, retention) };
}
