/**
 * The statistics of the shadow comparison, pure: nano's agreement rate with mini (a Wilson score
 * interval) and the ratio of mini's cost to nano's on the same requests (the ratio estimator).
 * Every interval is 95%; where the samples cannot support a figure it is null, never invented.
 */

/** The 97.5th percentile of the standard normal: a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  estimate: number;
  low: number | null;
  high: number | null;
}

/** `agreed` of `judged` as a rate with its 95% Wilson score interval; null when none was judged. */
export function wilson(agreed: number, judged: number): Interval | null {
  if (judged <= 0) return null;
  const p = agreed / judged;
  const z2 = Z95 * Z95;
  const scale = 1 + z2 / judged;
  const center = (p + z2 / (2 * judged)) / scale;
  const half = (Z95 / scale) * Math.sqrt((p * (1 - p)) / judged + z2 / (4 * judged * judged));
  return { estimate: p, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Sums over n pairs (x: nano's cost of a request, y: mini's cost of the same request). */
export interface PairMoments {
  n: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

/** The ratio R = Σy/Σx and its standard error (null with fewer than two pairs). */
export interface Ratio {
  r: number;
  se: number | null;
}

/**
 * R = Σy / Σx, with the delta-method standard error of the ratio estimator,
 * SE(R) = sqrt(Σ(y − R·x)² / (n − 1) / n) / x̄, where Σ(y − R·x)² = Σy² − 2RΣxy + R²Σx².
 * The estimate needs one pair (and Σx > 0), the standard error two.
 */
export function costRatio(m: PairMoments): Ratio | null {
  if (m.n < 1 || m.sumX <= 0) return null;
  const r = m.sumY / m.sumX;
  if (m.n < 2) return { r, se: null };
  // The moments are floating point: a residual that cancels to a hair under 0 is 0.
  const residual = Math.max(0, m.sumYY - 2 * r * m.sumXY + r * r * m.sumXX);
  return { r, se: Math.sqrt(residual / (m.n - 1) / m.n) / (m.sumX / m.n) };
}

/** One stratum (an endpoint × model): what it cost, and its shadow pairs; spend already on mini is mini's cost as is. */
export interface Stratum {
  /** The stratum's spend, in money units (pico-USD). */
  cost: number;
  pairs: PairMoments;
  onMini?: boolean;
}

/**
 * What mini would have cost, measured: the separate ratio estimator over strata, Σ cost·R, each
 * endpoint's traffic at its own ratio (endpoints differ in ratio and may differ in sampling rate,
 * so one pooled ratio would be biased); spend already on mini (escalations, callers who asked for
 * mini) counts as it is, R = 1 exactly. Its 95% interval from Σ (cost·SE(R))², the strata being
 * independent samples; the low end is never below 0. Null when a stratum with spend has no pair
 * (it cannot be measured, and is never guessed); no interval when one has a single pair.
 */
export function measuredCost(strata: readonly Stratum[]): Interval | null {
  let estimate = 0;
  let variance: number | null = 0;
  let spent = false;
  for (const { cost, pairs, onMini } of strata) {
    if (cost === 0) continue;
    spent = true;
    const ratio = onMini ? { r: 1, se: 0 } : costRatio(pairs);
    if (!ratio) return null;
    estimate += cost * ratio.r;
    variance = variance === null || ratio.se === null ? null : variance + (cost * ratio.se) ** 2;
  }
  if (!spent) return null;
  const half = variance === null ? null : Z95 * Math.sqrt(variance);
  const rounded = Math.round(estimate);
  return {
    estimate: rounded,
    low: half === null ? null : Math.max(0, Math.round(estimate - half)),
    high: half === null ? null : Math.round(estimate + half),
  };
}
