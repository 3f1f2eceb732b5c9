import { and, eq, gt, notExists, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias, QueryBuilder } from "drizzle-orm/sqlite-core";
import { ledger, rollup } from "../db/schema";
import { MINI_MODEL } from "../metering/cost";

/** The sums a spend row carries, in storage units: counts, tokens, nano-USD and pair moments. */
export const METRICS = [
  "requests",
  "errors",
  "inputTokens",
  "cachedTokens",
  "outputTokens",
  "reasoningTokens",
  "costNano",
  "miniCostNano",
  "escalations",
  "shadowRequests",
  "shadowCostNano",
  "judged",
  "agreed",
  "pairs",
  "pairNanoCostNano",
  "pairMiniCostNano",
  "pairNanoSq",
  "pairMiniSq",
  "pairCross",
] as const;
export type Metrics = Record<(typeof METRICS)[number], number>;

export const ZERO = Object.fromEntries(METRICS.map((m) => [m, 0])) as Metrics;

export const addMetrics = (a: Metrics, b: Metrics): Metrics =>
  Object.fromEntries(METRICS.map((m) => [m, a[m] + b[m]])) as Metrics;

/** Just the sums of a row that also carries its group's columns. */
export const metricsOf = (row: Metrics): Metrics => Object.fromEntries(METRICS.map((m) => [m, row[m]])) as Metrics;

/**
 * Sums with their parts per endpoint × model (a JSON [endpoint, model] key): the strata of the
 * measured mini projection (spend-json.ts).
 */
export type Measured = Metrics & { strata: Record<string, Metrics> };

export const NONE_MEASURED: Measured = { ...ZERO, strata: {} };

export function addMeasured(a: Measured, b: Measured): Measured {
  const strata = { ...a.strata };
  for (const [key, m] of Object.entries(b.strata)) strata[key] = addMetrics(strata[key] ?? ZERO, m);
  return { ...addMetrics(a, b), strata };
}

/** One endpoint × model's sums, as a Measured with itself as its one stratum. */
export const measuredOf = (row: Metrics & { endpoint?: string; model?: string }): Measured => ({
  ...metricsOf(row),
  strata: { [JSON.stringify([row.endpoint, row.model])]: metricsOf(row) },
});

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const total = (value: SQLWrapper, name: string) =>
  sql<number>`coalesce(sum(${value}), 0)`.mapWith(Number).as(snake(name));

/** The UTC day of a ledger row, in SQL: `time` is epoch milliseconds. */
export const ledgerDay = sql<string>`date(${ledger.time} / 1000, 'unixepoch')`;

/** A row of the request's own spend: not a shadow call. */
export const isOwn = sql`${ledger.shadow} = 0`;
const isPair = sql`${ledger.shadow} = 1 and ${ledger.pairCostNano} is not null`;
const when = (condition: SQL, value: SQLWrapper) => sql`case when ${condition} then ${value} else 0 end`;

const later = alias(ledger, "later");
/** True on a request's last own attempt, the row that carries its final status. */
const isFinal = and(
  isOwn,
  notExists(
    new QueryBuilder()
      .select({ one: sql`1` })
      .from(later)
      .where(and(eq(later.requestId, ledger.requestId), gt(later.attempt, ledger.attempt), eq(later.shadow, 0))),
  ),
);

const first = alias(ledger, "first");
/**
 * The model a row is grouped under: its own, but a shadow row's is the model its request asked for
 * (attempt 1; nano, since only nano's answers are shadowed), so shadow figures sit beside the
 * spend they measure instead of in mini's group.
 */
export const groupModel = sql<string>`case when ${ledger.shadow} = 0 then ${ledger.model} else coalesce((${new QueryBuilder()
  .select({ model: first.model })
  .from(first)
  .where(and(eq(first.requestId, ledger.requestId), eq(first.attempt, 1)))}), ${ledger.model}) end`;

const x = sql`cast(${ledger.pairCostNano} as real)`;
const y = sql`cast(${ledger.costNano} as real)`;

/**
 * Sums of ledger rows. Own rows: each request counted once, at its last own attempt; tokens and
 * money of every own attempt. Shadow rows apart: their count and cost, agreement, pair moments.
 */
export const ledgerMetrics = {
  requests: total(when(isFinal!, sql`1`), "requests"),
  errors: total(when(and(isFinal, sql`${ledger.status} >= 400`)!, sql`1`), "errors"),
  inputTokens: total(when(isOwn, ledger.inputTokens), "inputTokens"),
  cachedTokens: total(when(isOwn, ledger.cachedTokens), "cachedTokens"),
  outputTokens: total(when(isOwn, ledger.outputTokens), "outputTokens"),
  reasoningTokens: total(when(isOwn, ledger.reasoningTokens), "reasoningTokens"),
  costNano: total(when(isOwn, ledger.costNano), "costNano"),
  miniCostNano: total(when(isOwn, ledger.miniCostNano), "miniCostNano"),
  // Escalation is the one way a request makes a second own attempt, always on mini.
  escalations: total(when(sql`${isOwn} and ${ledger.attempt} > 1 and ${ledger.model} = ${MINI_MODEL}`, sql`1`), "escalations"),
  shadowRequests: total(when(sql`${ledger.shadow} = 1`, sql`1`), "shadowRequests"),
  shadowCostNano: total(when(sql`${ledger.shadow} = 1`, ledger.costNano), "shadowCostNano"),
  judged: total(when(sql`${ledger.shadow} = 1 and ${ledger.agreement} is not null`, sql`1`), "judged"),
  agreed: total(when(sql`${ledger.shadow} = 1 and ${ledger.agreement} = 1`, sql`1`), "agreed"),
  pairs: total(when(isPair, sql`1`), "pairs"),
  pairNanoCostNano: total(when(isPair, ledger.pairCostNano), "pairNanoCostNano"),
  pairMiniCostNano: total(when(isPair, ledger.costNano), "pairMiniCostNano"),
  pairNanoSq: total(when(isPair, sql`${x} * ${x}`), "pairNanoSq"),
  pairMiniSq: total(when(isPair, sql`${y} * ${y}`), "pairMiniSq"),
  pairCross: total(when(isPair, sql`${x} * ${y}`), "pairCross"),
};

/** Sums of rollup rows, which are already sums of the ledger. */
export const rollupMetrics = Object.fromEntries(METRICS.map((m) => [m, total(rollup[m], m)])) as {
  [M in (typeof METRICS)[number]]: SQL.Aliased<number>;
};
