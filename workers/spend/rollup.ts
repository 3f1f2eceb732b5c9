import { and, eq, exists, gte, lt, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { keySpend, ledger, rollup, rollupAll, rollupDays } from "../db/schema";
import { type Env, numberVar } from "../env";
import { badRequest } from "../errors";
import { addDays, DAY_MS, dayOf, dayStartMs } from "./days";
import { addMeasured, type Measured, measuredOf, NONE_MEASURED } from "./metrics";
import { prefixJoin, prefixMetrics, prefixSizes } from "./prefix";
import { attributionRollup } from "./rollup-attribution";
import { groupModel, groupTier, inColumnOrder, ledgerDay, ledgerSumsToStore, readSums, rollupSums, storedSumsOver } from "./sums";

/** The scheduled job rolls yesterday and the three days before it, so late ledger rows count. */
export const ROLL_DAYS = 4;
export const DEFAULT_RETENTION_DAYS = 90;

/** RETENTION_DAYS, never shorter than the days the job re-rolls (their ledger must still be there). */
export function retentionDays(env: Env): number {
  return Math.max(ROLL_DAYS, Math.floor(numberVar(env.RETENTION_DAYS, DEFAULT_RETENTION_DAYS)));
}

/** A day rolled after it ended is complete: spend reads it from `rollup`, not from the ledger. */
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
}

/**
 * One day of the ledger summed per key × endpoint × model × tier, as rollup rows (SELECT …
 * GROUP BY), shadow rows under the model and tier their request asked for, with the group's
 * prompt-prefix figures.
 */
export function daySums(db: Db, day: string) {
  const start = dayStartMs(day);
  const inDay = and(gte(ledger.time, start), lt(ledger.time, start + DAY_MS));
  const prefixes = prefixSizes(db, inDay!, false);
  return db
    .select(
      inColumnOrder(rollup, {
        day: sql<string>`${day}`.as("day"),
        keyId: ledger.keyId,
        endpoint: ledger.endpoint,
        model: groupModel.as("model"),
        serviceTier: groupTier.as("service_tier"),
        ...ledgerSumsToStore,
        ...prefixMetrics(prefixes),
      }),
    )
    .from(ledger)
    .leftJoin(prefixes, prefixJoin(prefixes, false))
    .where(inDay)
    // Endpoint first: grouped by key_id first, SQLite reads the whole ledger through ledger_key_time
    // for its order, instead of the day's range of ledger_time.
    .groupBy(ledger.endpoint, ledger.keyId, groupModel, groupTier);
}

/** One day's rollup rows summed over their keys, as rollup_all rows. */
function everyKeySums(db: Db, day: string) {
  const { endpoint, model, serviceTier } = rollup;
  return db
    .select(inColumnOrder(rollupAll, { day: rollup.day, endpoint, model, serviceTier, ...storedSumsOver(rollup) }))
    .from(rollup)
    .where(eq(rollup.day, day))
    .groupBy(endpoint, model, serviceTier);
}

/**
 * Replaces one day's rollup rows (their sum over keys, rollup_all, and the day's tags' and end
 * users', rollup-attribution.ts) with the ledger's sums, in SQL and in one D1 batch (atomic).
 * Running it again gives the same rows, plus any ledger rows that arrived since.
 */
export async function rollDay(db: Db, day: string, now: number, retention: number): Promise<RolledDay> {
  const start = dayStartMs(day);
  if (start < dayStartMs(dayOf(now)) - retention * DAY_MS) {
    const [done] = await db.select().from(rollupDays).where(and(eq(rollupDays.day, day), isComplete));
    if (done) throw badRequest(`the ledger of ${day} is past retention (${retention} days); its rollup stands`, "day");
  }
  const [, , , strata] = await db.batch([
    db.delete(rollup).where(eq(rollup.day, day)),
    db.insert(rollup).select(daySums(db, day)),
    db.insert(rollupDays).values({ day, rolledAt: now }).onConflictDoUpdate({ target: rollupDays.day, set: { rolledAt: now } }),
    db
      .select({ endpoint: rollup.endpoint, model: rollup.model, groups: sql<number>`count(*)`.mapWith(Number), ...rollupSums })
      .from(rollup)
      .where(eq(rollup.day, day))
      .groupBy(rollup.endpoint, rollup.model),
    db.delete(rollupAll).where(eq(rollupAll.day, day)),
    db.insert(rollupAll).select(everyKeySums(db, day)),
    ...attributionRollup(db, day),
  ]);
  return {
    day,
    rolledAt: now,
    complete: now >= start + DAY_MS,
    groups: strata.reduce((n, s) => n + s.groups, 0),
    totals: strata.map((s) => readSums<{ endpoint: string; model: string }>(s)).reduce((t, s) => addMeasured(t, measuredOf(s)), NONE_MEASURED),
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

/** The cron's work: roll yesterday, re-roll the days before it, then apply retention. */
export async function runDailyRollup(db: Db, now: number, retention: number) {
  const today = dayOf(now);
  const rolled: RolledDay[] = [];
  for (let i = 1; i <= ROLL_DAYS; i++) rolled.push(await rollDay(db, addDays(today, -i), now, retention));
  return { rolled, deletedLedgerRows: await applyRetention(db, now, retention) };
}
