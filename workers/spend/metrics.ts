import { and, eq, gt, notExists, sql, type SQLWrapper } from "drizzle-orm";
import { alias, QueryBuilder } from "drizzle-orm/sqlite-core";
import { ledger, rollup } from "../db/schema";
import { usd } from "../metering/cost";

/** The sums a spend row carries, in storage units: counts, tokens and nano-USD. */
export interface Metrics {
  requests: number;
  errors: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costNano: number;
  miniCostNano: number;
}

export const ZERO: Metrics = {
  requests: 0,
  errors: 0,
  inputTokens: 0,
  cachedTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
  costNano: 0,
  miniCostNano: 0,
};

export const addMetrics = (a: Metrics, b: Metrics): Metrics => ({
  requests: a.requests + b.requests,
  errors: a.errors + b.errors,
  inputTokens: a.inputTokens + b.inputTokens,
  cachedTokens: a.cachedTokens + b.cachedTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  costNano: a.costNano + b.costNano,
  miniCostNano: a.miniCostNano + b.miniCostNano,
});

const total = (value: SQLWrapper, name: string) =>
  sql<number>`coalesce(sum(${value}), 0)`.mapWith(Number).as(name);

/** The UTC day of a ledger row, in SQL: `time` is epoch milliseconds. */
export const ledgerDay = sql<string>`date(${ledger.time} / 1000, 'unixepoch')`;

const later = alias(ledger, "later");
/** True on a request's last attempt, the row that carries its final status. */
const isFinal = notExists(
  new QueryBuilder()
    .select({ one: sql`1` })
    .from(later)
    .where(and(eq(later.requestId, ledger.requestId), gt(later.attempt, ledger.attempt))),
);

/** Sums of ledger rows: each request counted once, at its last attempt; tokens and money of every attempt. */
export const ledgerMetrics = {
  requests: total(sql`case when ${isFinal} then 1 else 0 end`, "requests"),
  errors: total(sql`case when ${ledger.status} >= 400 and ${isFinal} then 1 else 0 end`, "errors"),
  inputTokens: total(ledger.inputTokens, "input_tokens"),
  cachedTokens: total(ledger.cachedTokens, "cached_tokens"),
  outputTokens: total(ledger.outputTokens, "output_tokens"),
  reasoningTokens: total(ledger.reasoningTokens, "reasoning_tokens"),
  costNano: total(ledger.costNano, "cost_nano"),
  miniCostNano: total(ledger.miniCostNano, "mini_cost_nano"),
};

/** Sums of rollup rows, which are already sums of the ledger. */
export const rollupMetrics = {
  requests: total(rollup.requests, "requests"),
  errors: total(rollup.errors, "errors"),
  inputTokens: total(rollup.inputTokens, "input_tokens"),
  cachedTokens: total(rollup.cachedTokens, "cached_tokens"),
  outputTokens: total(rollup.outputTokens, "output_tokens"),
  reasoningTokens: total(rollup.reasoningTokens, "reasoning_tokens"),
  costNano: total(rollup.costNano, "cost_nano"),
  miniCostNano: total(rollup.miniCostNano, "mini_cost_nano"),
};

/** The SPEC's spend fields; USD only here, at the JSON edge. */
export function metricsJson(m: Metrics) {
  return {
    requests: m.requests,
    errors: m.errors,
    input_tokens: m.inputTokens,
    cached_tokens: m.cachedTokens,
    output_tokens: m.outputTokens,
    reasoning_tokens: m.reasoningTokens,
    cost_usd: usd(m.costNano),
    mini_cost_usd: usd(m.miniCostNano),
    saved_usd: usd(m.miniCostNano - m.costNano),
    cache_hit_ratio: m.inputTokens === 0 ? 0 : m.cachedTokens / m.inputTokens,
  };
}
