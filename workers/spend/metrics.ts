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

/** Whether sums hold no call at all (no count, no money). */
export const isZero = (m: Metrics) => COUNTS.every((c) => m[c] === 0) && MONEY.every((c) => m[c] === 0n);

/** Just the sums of a row that also carries its group's columns. */
export function metricsOf(row: Metrics): Metrics {
  return addMetrics(ZERO, row);
}

/** What the measured mini projection reads of one endpoint × model (spend-json.ts). */
export type Stratum = Pick<Metrics, "costPico" | "pairs" | "pairNanoCostPico" | "pairMiniCostPico" | "pairNanoSq" | "pairMiniSq" | "pairCross">;

const NO_STRATUM: Stratum = { costPico: 0n, pairs: 0, pairNanoCostPico: 0n, pairMiniCostPico: 0n, pairNanoSq: 0, pairMiniSq: 0, pairCross: 0 };

const addStrata = (a: Stratum, b: Stratum): Stratum => ({
  costPico: a.costPico + b.costPico,
  pairs: a.pairs + b.pairs,
  pairNanoCostPico: a.pairNanoCostPico + b.pairNanoCostPico,
  pairMiniCostPico: a.pairMiniCostPico + b.pairMiniCostPico,
  pairNanoSq: a.pairNanoSq + b.pairNanoSq,
  pairMiniSq: a.pairMiniSq + b.pairMiniSq,
  pairCross: a.pairCross + b.pairCross,
});

/**
 * Sums with their parts per endpoint × model (a JSON [endpoint, model] key): the strata of the
 * measured mini projection (spend-json.ts). A stratum without cost or pairs may be left out.
 */
export type Measured = Metrics & { strata: Record<string, Stratum> };

/**
 * The sum of many sums, added into one accumulator: a year by day is hundreds of rows, each
 * with its strata, and a new object per addition would cost more than the additions.
 */
export function sumMeasured(all: Iterable<Measured>): Measured {
  const sum = { ...ZERO };
  const strata: Record<string, Stratum> = {};
  for (const m of all) {
    for (const name of NUMBERS) sum[name] += m[name];
    for (const name of MONEY) sum[name] += m[name];
    for (const key in m.strata) {
      const known = strata[key];
      strata[key] = known ? addStrata(known, m.strata[key]!) : m.strata[key]!;
    }
  }
  return { ...sum, strata };
}

/** One endpoint × model's sums, as a Measured with itself as its one stratum. */
export const measuredOf = (row: Metrics & { endpoint?: string | null; model?: string | null }): Measured => ({
  ...metricsOf(row),
  strata: { [JSON.stringify([row.endpoint, row.model])]: addStrata(NO_STRATUM, row) },
});
