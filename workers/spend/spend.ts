import { and, eq, gte, inArray, lt, lte, not, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { ledger, rollup, rollupDays } from "../db/schema";
import { addDays, DAY_MS, dayStartMs } from "./days";
import { addMeasured, type Measured, measuredOf, NONE_MEASURED } from "./metrics";
import { isComplete, ledgerDayComplete } from "./rollup";
import { groupModel, groupTier, ledgerDay, ledgerSums, readSums, rollupSums } from "./sums";

export const GROUPS = ["day", "endpoint", "model", "tier", "key"] as const;
export type Group = (typeof GROUPS)[number];

export interface SpendQuery {
  from: string;
  to: string;
  /** In GROUPS order, without repeats. */
  groupBy: Group[];
  /** One key's spend; undefined for every key's (admin). */
  keyId: string | undefined;
}

export type SpendRow = Partial<Record<Group, string>> & Measured;

/** More separate live spans than this are read as one span; the per-row check keeps it exact. */
const MAX_LIVE_SPANS = 16;

/** The [start, end) millisecond spans of the days in from..to without a complete rollup. */
export function liveSpans(from: string, to: string, completeDays: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  let next = from;
  for (const day of completeDays) {
    if (day > next) spans.push([dayStartMs(next), dayStartMs(day)]);
    next = addDays(day, 1);
  }
  if (next <= to) spans.push([dayStartMs(next), dayStartMs(to) + DAY_MS]);
  const [first, last] = [spans[0], spans[spans.length - 1]];
  return spans.length > MAX_LIVE_SPANS && first && last ? [[first[0], last[1]]] : spans;
}

/** The live spans of from..to, after reading which of its days have a complete rollup. */
export async function liveSpansOf(db: Db, from: string, to: string): Promise<[number, number][]> {
  const complete = await db
    .select({ day: rollupDays.day })
    .from(rollupDays)
    .where(and(gte(rollupDays.day, from), lte(rollupDays.day, to), isComplete))
    .orderBy(rollupDays.day);
  return liveSpans(from, to, complete.map((r) => r.day));
}

const rollupGroups: Record<Group, SQLiteColumn | SQL> = {
  day: rollup.day,
  endpoint: rollup.endpoint,
  model: rollup.model,
  tier: rollup.serviceTier,
  key: rollup.keyId,
};
const ledgerGroups: Record<Group, SQLiteColumn | SQL> = { day: ledgerDay, endpoint: ledger.endpoint, model: groupModel, tier: groupTier, key: ledger.keyId };
const pick = (groups: Record<Group, SQLiteColumn | SQL>, by: Group[]) => Object.fromEntries(by.map((g) => [g, groups[g]]));
const groupKey = (row: Partial<Record<Group, string>>, by: Group[]) => JSON.stringify(by.map((g) => row[g]));

/** Rollup rows of the range's complete days (of one key, or all). */
export function rolledDays(db: Db, q: Omit<SpendQuery, "groupBy">) {
  const completeInRange = and(gte(rollupDays.day, q.from), lte(rollupDays.day, q.to), isComplete);
  return and(
    q.keyId === undefined ? undefined : eq(rollup.keyId, q.keyId),
    gte(rollup.day, q.from),
    lte(rollup.day, q.to),
    inArray(rollup.day, db.select({ day: rollupDays.day }).from(rollupDays).where(completeInRange)),
  );
}

/** Ledger rows within `spans` whose day has no complete rollup (of one key, or all). */
export function liveRows(q: Omit<SpendQuery, "groupBy" | "from" | "to">, spans: [number, number][]) {
  return and(
    q.keyId === undefined ? undefined : eq(ledger.keyId, q.keyId),
    or(...spans.map(([start, end]) => and(gte(ledger.time, start), lt(ledger.time, end)))),
    not(ledgerDayComplete),
  );
}

/** Complete days of the range, summed per group from the rollup table. */
export function rolledSpend(db: Db, q: SpendQuery) {
  return db
    .select({ ...pick(rollupGroups, q.groupBy), ...rollupSums })
    .from(rollup)
    .where(rolledDays(db, q))
    .groupBy(...q.groupBy.map((g) => rollupGroups[g]));
}

/** The other days, within `spans`, summed per group live from the ledger. */
export function liveSpend(db: Db, q: SpendQuery, spans: [number, number][]) {
  return db
    .select({ ...pick(ledgerGroups, q.groupBy), ...ledgerSums })
    .from(ledger)
    .where(liveRows(q, spans))
    .groupBy(...q.groupBy.map((g) => ledgerGroups[g]));
}

/**
 * Spend per group, summed in D1: complete days from the rollup, every other day (today, a day the
 * cron missed) live from the ledger. Both reads run in one batch, so a day rolled up meanwhile is
 * counted once, from whichever side the batch saw it on.
 */
export async function querySpend(db: Db, q: SpendQuery): Promise<{ rows: SpendRow[]; totals: Measured }> {
  const spans = await liveSpansOf(db, q.from, q.to);
  // Read per endpoint and model as well: each row keeps them apart for the measured projection.
  const read = { ...q, groupBy: GROUPS.filter((g) => g === "endpoint" || g === "model" || q.groupBy.includes(g)) };
  const rolled = rolledSpend(db, read);
  const live = liveSpend(db, read, spans);
  const parts = spans.length ? await db.batch([rolled, live]) : [await rolled];

  const merged = new Map<string, SpendRow>();
  for (const part of (parts.flat() as Record<string, unknown>[]).map((row) => readSums<Partial<Record<Group, string>>>(row))) {
    const key = groupKey(part, q.groupBy);
    const row = { ...Object.fromEntries(q.groupBy.map((g) => [g, part[g]])), ...measuredOf(part) };
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, ...addMeasured(seen, row) } : row);
  }
  const rows = [...merged.values()].sort((a, b) => compareGroups(a, b, q.groupBy));
  return { rows, totals: rows.reduce<Measured>(addMeasured, NONE_MEASURED) };
}

function compareGroups(a: SpendRow, b: SpendRow, by: Group[]): number {
  for (const g of by) {
    const [x, y] = [a[g] ?? "", b[g] ?? ""];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
