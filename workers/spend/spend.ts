import { and, eq, gte, inArray, lt, lte, not, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { ledger, rollup, rollupAll, rollupAllTiers, rollupDays } from "../db/schema";
import { addDays, DAY_MS, dayStartMs } from "./days";
import { type AttributionQuery, dimensionGroup, dimensionSides, type Side } from "./dimension";
import { isZero, type Measured, sumMeasured } from "./metrics";
import { mergedSpend, type StrataIn } from "./spend-sql";
import { isComplete, ledgerDayComplete } from "./rollup";
import { groupModel, groupTier, ledgerDay, ledgerValues, type RolledTable, rolledValues } from "./sums";

/** `tag` groups by the value of the query's one tag name, `user` by end user. */
export const GROUPS = ["day", "endpoint", "model", "tier", "key", "tag", "user"] as const;
export type Group = (typeof GROUPS)[number];

export interface SpendQuery {
  from: string;
  to: string;
  /** In GROUPS order, without repeats. */
  groupBy: Group[];
  /** One key's spend; undefined for every key's (admin). */
  keyId: string | undefined;
  /** The one tag name or the end user the query groups by or filters on, if any. */
  attribution?: AttributionQuery | undefined;
}

export type Columns = Partial<Record<Group, SQLiteColumn | SQL>>;

/** A group's value; null for the calls without one (no such tag, no end user). */
export type SpendRow = Partial<Record<Group, string | null>> & Measured;

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

export type { RolledTable };

const rolledGroups = (table: RolledTable): Columns => ({
  day: table.day,
  endpoint: table.endpoint,
  model: table.model,
  tier: "serviceTier" in table ? table.serviceTier : undefined,
  key: "keyId" in table ? table.keyId : undefined,
});
const ledgerGroups: Columns = { day: ledgerDay, endpoint: ledger.endpoint, model: groupModel, tier: groupTier, key: ledger.keyId };
/** Each group's column under the group's own name, so that every source of a query has the same columns. */
const named = (groups: Columns, by: Group[]) => Object.fromEntries(by.map((g) => [g, sql`${groups[g]!}`.as(g)]));
/** A group's column on the rows of calls without a value of the query's dimension. */
const NO_VALUE = sql`null`;

type DayTable = { day: SQLiteColumn; keyId?: SQLiteColumn };

/** Rollup rows of the range's days (of one key, or all), in `table`. */
function rangeRows(q: Omit<SpendQuery, "groupBy">, table: DayTable) {
  // A table without keys (rollup_all) is read only for every key's spend (sources).
  const ofKey = q.keyId === undefined || table.keyId === undefined ? undefined : eq(table.keyId, q.keyId);
  return and(ofKey, gte(table.day, q.from), lte(table.day, q.to));
}

/** Rollup rows of the range's complete days (of one key, or all), in `table`. */
export function rolledDays(db: Db, q: Omit<SpendQuery, "groupBy">, table: DayTable = rollup) {
  const completeInRange = and(gte(rollupDays.day, q.from), lte(rollupDays.day, q.to), isComplete);
  return and(rangeRows(q, table), inArray(table.day, db.select({ day: rollupDays.day }).from(rollupDays).where(completeInRange)));
}

/** Ledger rows within `spans` whose day has no complete rollup (of one key, or all). */
export function liveRows(q: Omit<SpendQuery, "groupBy" | "from" | "to">, spans: [number, number][]) {
  return and(
    q.keyId === undefined ? undefined : eq(ledger.keyId, q.keyId),
    or(...spans.map(([start, end]) => and(gte(ledger.time, start), lt(ledger.time, end)))),
    not(ledgerDayComplete),
  );
}

/**
 * A rollup table's rows: of the range's complete days (an attribution dimension's table, written
 * by the daily check), or of all its days (`rollup` and `rollup_all`, kept current row by row).
 */
export function rolledSpend(db: Db, q: SpendQuery, side: Side = ROLLUP, days: "complete" | "all" = "complete") {
  return db
    .select({ ...named({ ...rolledGroups(side.table), ...side.groups }, q.groupBy), ...rolledValues(side.table) })
    .from(side.table as typeof rollup)
    .where(and(days === "all" ? rangeRows(q, side.table) : rolledDays(db, q, side.table), side.where));
}

/** The other days, within `spans`: the ledger's rows. */
export function liveSpend(db: Db, q: SpendQuery, spans: [number, number][], side: Omit<Side, "table"> = ROLLUP) {
  const rows = db
    .select({ ...named({ ...ledgerGroups, ...side.groups }, q.groupBy), ...ledgerValues })
    .from(ledger)
    .$dynamic();
  if (side.each) rows.crossJoin(side.each);
  return rows.where(and(liveRows(q, spans), side.where));
}

const ROLLUP: Side = { table: rollup, groups: {}, where: undefined };
const EVERY_KEY: Side = { table: rollupAll, groups: {}, where: undefined };
const EVERY_TIER: Side = { table: rollupAllTiers, groups: {}, where: undefined };

/** The one rollup table a query without an attribution dimension reads: the one with the fewest rows that still has its groups. */
function rolledSide(q: SpendQuery): Side {
  if (q.keyId === undefined && !q.groupBy.includes("key")) return EVERY_KEY;
  return q.groupBy.includes("tier") ? ROLLUP : EVERY_TIER;
}

/** Whether the query reads an attribution dimension's table: it filters by the dimension, or groups by it. */
function readsDimension(q: SpendQuery): boolean {
  if (!q.attribution) return false;
  const group = dimensionGroup(q.attribution.dimension);
  return q.attribution.only !== undefined || (group !== undefined && q.groupBy.includes(group));
}

/**
 * The sources of a query's rows, with their group columns and each endpoint and model (which the
 * measured projection keeps apart). Without a dimension: one rollup table (rolledSide), all days.
 * With one, its own table's complete days, the others from the ledger; grouping by it, also
 * `rollup` on the days the dimension's table has no row of (dimension.ts).
 */
export function sources(db: Db, q: SpendQuery, spans: [number, number][]) {
  const read = { ...q, groupBy: GROUPS.filter((g) => g === "endpoint" || g === "model" || q.groupBy.includes(g)) };
  if (!q.attribution || !readsDimension(q)) {
    // By day, each of a group's strata has a row per tier at most: few to merge.
    const strataIn: StrataIn = q.groupBy.includes("day") ? "js" : "sql";
    return { read, strataIn, sources: [rolledSpend(db, read, rolledSide(q), "all")] };
  }
  const live = (side?: Omit<Side, "table">) => (spans.length ? [liveSpend(db, read, spans, side)] : []);
  // Not a filter, so (readsDimension) the query groups by the dimension.
  const group = q.attribution.only === undefined ? dimensionGroup(q.attribution.dimension) : undefined;
  const { rolled, without, live: ledgerSide } = dimensionSides(q.attribution);
  const days = group ? [rolledSpend(db, read, { ...ROLLUP, groups: { [group]: NO_VALUE }, where: without })] : [];
  return { read, strataIn: "sql" as StrataIn, sources: [rolledSpend(db, read, rolled), ...days, ...live(ledgerSide)] };
}

/**
 * Spend per group, summed in D1 in one statement (so a day rolled up meanwhile is counted once,
 * from whichever side the statement saw it on): from the rollup tables, and by an attribution
 * dimension every day without its complete rollup (today, a day the cron missed) live from the
 * ledger (spend-sql.ts).
 */
export async function querySpend(db: Db, q: SpendQuery): Promise<{ rows: SpendRow[]; totals: Measured }> {
  const spans = readsDimension(q) ? await liveSpansOf(db, q.from, q.to) : [];
  const { read, strataIn, sources: parts } = sources(db, q, spans);
  const rows = (await mergedSpend(db, parts, read.groupBy, q.groupBy, strataIn))
    // Without groups, SQL answers one row even for a range without calls.
    .filter((row) => q.groupBy.length > 0 || !isZero(row))
    .sort((a, b) => compareGroups(a, b, q.groupBy));
  return { rows, totals: sumMeasured(rows) };
}

/** Groups in order of their values, a group without a value (no such tag, no end user) last. */
function compareGroups(a: SpendRow, b: SpendRow, by: Group[]): number {
  for (const g of by) {
    const [x, y] = [a[g] ?? null, b[g] ?? null];
    if (x !== y) return x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
  }
  return 0;
}
