import { and, eq, getTableColumns, gt, notExists, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias, QueryBuilder } from "drizzle-orm/sqlite-core";
import { joinMoney, moneyParts, moneySum } from "../db/money";
import { ledger, rollup, rollupAll, rollupAllTiers, rollupTags, rollupUsers } from "../db/schema";
import { MINI_MODEL } from "../metering/cost";
import { COUNTS, MOMENTS, MONEY, type Metrics } from "./metrics";

/** The SQL that sums ledger and rollup rows into Metrics: once in SQL, read exactly (db/money.ts). */

/** The UTC day of a ledger row, in SQL: `time` is epoch milliseconds. */
export const ledgerDay = sql<string>`date(${ledger.time} / 1000, 'unixepoch')`;

/** A row of the request's own spend: not a shadow call. */
export const isOwn = sql`${ledger.shadow} = 0`;
const isPair = sql`${ledger.shadow} = 1 and ${ledger.pairCostPico} is not null`;
const when = (condition: SQL, value: SQLWrapper) => sql`case when ${condition} then ${value} else 0 end`;
export const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const plainSum = (value: SQL, name: string) => sql<number>`coalesce(sum(${value}), 0)`.mapWith(Number).as(snake(name));

const later = alias(ledger, "later");
const first = alias(ledger, "first");
const x = sql`cast(${ledger.pairCostPico} as real)`;
const y = sql`cast(${ledger.costPico} as real)`;
const one = sql`1`;

/**
 * How ledger rows sum into rollup groups, over the whole ledger, or (`upTo`, the daily check's
 * snapshot) as it stood when its last row was `upTo`: the other attempts a row is compared with
 * are then only those up to it too.
 */
export function ledgerSumsOf(upTo?: number) {
  const known = (id: SQLWrapper) => (upTo === undefined ? undefined : sql`${id} <= ${upTo}`);
  /** True on a request's last own attempt, the row that carries its final status. */
  const isFinal = and(
    isOwn,
    notExists(
      new QueryBuilder()
        .select({ one: sql`1` })
        .from(later)
        .where(and(eq(later.requestId, ledger.requestId), gt(later.attempt, ledger.attempt), eq(later.shadow, 0), known(later.id))),
    ),
  )!;
  /**
   * A shadow row is grouped under what its request asked for (attempt 1's model and tier; nano,
   * since only nano's answers are shadowed), so shadow figures sit beside the spend they measure
   * instead of in mini's group.
   */
  const ofRequest = (column: "model" | "serviceTier") =>
    sql<string>`case when ${ledger.shadow} = 0 then ${ledger[column]} else coalesce((${new QueryBuilder()
      .select({ value: first[column] })
      .from(first)
      .where(and(eq(first.requestId, ledger.requestId), eq(first.attempt, 1), known(first.id)))}), ${ledger[column]}) end`;
  /**
   * What each metric sums over ledger rows. Own rows: each request counted once, at its last own
   * attempt; tokens and money of every own attempt. Shadow rows apart: their count and cost,
   * agreement, pair moments.
   */
  const terms: Record<keyof Metrics, SQL> = {
    requests: when(isFinal, one),
    errors: when(and(isFinal, sql`${ledger.status} >= 400`)!, one),
    inputTokens: when(isOwn, ledger.inputTokens),
    cachedTokens: when(isOwn, ledger.cachedTokens),
    cacheWriteTokens: when(isOwn, ledger.cacheWriteTokens),
    outputTokens: when(isOwn, ledger.outputTokens),
    reasoningTokens: when(isOwn, ledger.reasoningTokens),
    costPico: when(isOwn, ledger.costPico),
    miniCostPico: when(isOwn, ledger.miniCostPico),
    // Escalation is the one way a request makes a second own attempt, always on mini.
    escalations: when(sql`${isOwn} and ${ledger.attempt} > 1 and ${ledger.model} = ${MINI_MODEL}`, one),
    shadowRequests: when(sql`${ledger.shadow} = 1`, one),
    shadowCostPico: when(sql`${ledger.shadow} = 1`, ledger.costPico),
    judged: when(sql`${ledger.shadow} = 1 and ${ledger.agreement} is not null`, one),
    agreed: when(sql`${ledger.shadow} = 1 and ${ledger.agreement} = 1`, one),
    pairs: when(isPair, one),
    pairNanoCostPico: when(isPair, ledger.pairCostPico),
    pairMiniCostPico: when(isPair, ledger.costPico),
    pairNanoSq: when(isPair, sql`${x} * ${x}`),
    pairMiniSq: when(isPair, sql`${y} * ${y}`),
    pairCross: when(isPair, sql`${x} * ${y}`),
  };
  return {
    groupModel: ofRequest("model"),
    groupTier: ofRequest("serviceTier"),
    terms,
    /** Sums to store in rollup rows (a day's group stays far inside SQLite's 64-bit integers). */
    toStore: Object.fromEntries(Object.entries(terms).map(([m, term]) => [m, plainSum(term, m)])) as Record<keyof Metrics, SQL.Aliased<number>>,
  };
}

const whole = ledgerSumsOf();
export const { groupModel, groupTier, terms: ledgerTerms, toStore: ledgerSumsToStore } = whole;

/** Rollup rows are already sums of the ledger: each metric sums its own column, in any rollup table. */
export const rolledTerms = (table: RolledTable) =>
  Object.fromEntries([...COUNTS, ...MONEY, ...MOMENTS].map((m) => [m, sql`${table[m]}`])) as Record<keyof Metrics, SQL>;


/** The same sums to store, summed again over a subquery's rows that carry them (its fields by metric). */
export const storedSumsOver = (rows: object) =>
  Object.fromEntries(Object.keys(ledgerTerms).map((m) => [m, plainSum(sql`${(rows as Record<string, SQLWrapper>)[m]}`, m)])) as Record<keyof Metrics, SQL.Aliased<number>>;

/** Sums of `terms` to read into JavaScript: money in two exact parts (db/money.ts), the rest as numbers. */
export const exactSums = (terms: Record<keyof Metrics, SQLWrapper>) =>
  Object.assign(
    {},
    ...[...COUNTS, ...MOMENTS].map((m) => ({ [m]: plainSum(sql`${terms[m]}`, m) })),
    ...MONEY.map((m) => moneySum(terms[m], m)),
  ) as Record<string, SQL.Aliased<number>>;

/** Rollup rows' sums, read exactly. */
export const rollupSums = exactSums(rollup);

/** Any rollup table: each has the rollup's group columns (but rollup_all's key, rollup_all_tiers' tier) and its sums (db/schema.ts). */
export type RolledTable = typeof rollup | typeof rollupAll | typeof rollupAllTiers | typeof rollupTags | typeof rollupUsers;

/**
 * Each row's own values of the metrics, money in its two parts, for a query that sums rows of
 * several sources at once (`sumsOver`): a ledger row's terms, or a rollup row's sums.
 */
function rowValues(terms: Record<keyof Metrics, SQL>) {
  return Object.assign(
    {},
    ...[...COUNTS, ...MOMENTS].map((m) => ({ [m]: terms[m].as(snake(m)) })),
    ...MONEY.map((m) => moneyParts(terms[m], m)),
  ) as Record<string, SQL.Aliased<number>>;
}
export const ledgerValues = rowValues(ledgerTerms);
const valuesOf = new Map<RolledTable, Record<string, SQL.Aliased<number>>>([rollup, rollupAll, rollupAllTiers, rollupTags, rollupUsers].map((table) => [table, rowValues(rolledTerms(table))]));
/** A rollup table's rows' values, for `sumsOver`. */
export const rolledValues = (table: RolledTable) => valuesOf.get(table)!;

/** The sums of a subquery's rows (alias `from`) that carry `rowValues` or these sums: its groups' rows merged. */
export function sumsOver(from: string) {
  const sum = (name: string) => sql<number>`coalesce(sum(${sql.raw(`"${from}"."${name}"`)}), 0)`.mapWith(Number).as(name);
  return Object.assign(
    {},
    ...[...COUNTS, ...MOMENTS].map((m) => ({ [m]: sum(snake(m)) })),
    ...MONEY.map((m) => ({ [`${m}Hi`]: sum(`${m}_hi`), [`${m}Lo`]: sum(`${m}_lo`) })),
  ) as Record<string, SQL.Aliased<number>>;
}

const MONEY_PARTS = new Set(MONEY.flatMap((m) => [`${m}Hi`, `${m}Lo`]));

/** A row read with `rollupSums` or `sumsOver`, its money joined: Metrics, plus the group's columns. */
export function readSums<G extends object>(row: Record<string, unknown>): G & Metrics {
  const rest = Object.fromEntries(Object.entries(row).filter(([name]) => !MONEY_PARTS.has(name)));
  return { ...rest, ...Object.fromEntries(MONEY.map((m) => [m, joinMoney(row, m)])) } as G & Metrics;
}

/** `fields` in the order of `table`'s columns, as Drizzle's INSERT … SELECT requires. */
export function inColumnOrder<T extends Record<string, unknown>>(table: Parameters<typeof getTableColumns>[0], fields: T): T {
  return Object.fromEntries(Object.keys(getTableColumns(table)).map((name) => [name, fields[name]])) as T;
}
