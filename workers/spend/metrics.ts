/**
 * The sums a spend row carries, in storage units: counts and tokens (numbers), money (bigint
 * pico-USD, exact at any size) and the shadow pairs' second moments (floating point statistics).
 */
export const COUNTS = [
  "requests",
  "errors",
  "inputTokens",
  "cachedTokens",
  "cacheWriteTokens",
  "outputTokens",
  "reasoningTokens",
  "escalations",
  "shadowRequests",
  "judged",
  "agreed",
  "pairs",
] as const;
export const MONEY = ["costPico", "miniCostPico", "shadowCostPico", "pairNanoCostPico", "pairMiniCostPico"] as const;
export const MOMENTS = ["pairNanoSq", "pairMiniSq", "pairCross"] as const;

export type Money = (typeof MONEY)[number];
export type Metrics = Record<(typeof COUNTS)[number] | (typeof MOMENTS)[number], number> & Record<Money, bigint>;

const NUMBERS = [...COUNTS, ...MOMENTS];

export const ZERO = {
  ...Object.fromEntries(NUMBERS.map((m) => [m, 0])),
  ...Object.fromEntries(MONEY.map((m) => [m, 0n])),
} as Metrics;

export function addMetrics(a: Metrics, b: Metrics): Metrics {
  const sum = { ...a };
  for (const m of NUMBERS) sum[m] = a[m] + b[m];
  for (const m of MONEY) sum[m] = a[m] + b[m];
  return sum;
}

/** Just the sums of a row that also carries its group's columns. */
export function metricsOf(row: Metrics): Metrics {
  return addMetrics(ZERO, row);
}

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
