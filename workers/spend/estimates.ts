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

/**
 * R = Σy / Σx, with the delta-method standard error of the ratio estimator,
 * SE(R) = sqrt(Σ(y − R·x)² / (n − 1) / n) / x̄, where Σ(y − R·x)² = Σy² − 2RΣxy + R²Σx².
 * The estimate needs one pair (and Σx > 0), the interval two; its low end is never below 0.
 */
export function costRatio(m: PairMoments): Interval | null {
  if (m.n < 1 || m.sumX <= 0) return null;
  const r = m.sumY / m.sumX;
  if (m.n < 2) return { estimate: r, low: null, high: null };
  // The moments are floating point: a residual that cancels to a hair under 0 is 0.
  const residual = Math.max(0, m.sumYY - 2 * r * m.sumXY + r * r * m.sumXX);
  const se = Math.sqrt(residual / (m.n - 1) / m.n) / (m.sumX / m.n);
  return { estimate: r, low: Math.max(0, r - Z95 * se), high: r + Z95 * se };
}

/** An interval scaled by a (nano-USD) amount, rounded to whole nano-USD like every money figure. */
export function scaled(i: Interval | null, amount: number): { estimate: number; low: number | null; high: number | null } | null {
  if (!i) return null;
  const times = (v: number | null) => (v === null ? null : Math.round(v * amount));
  return { estimate: Math.round(i.estimate * amount), low: times(i.low), high: times(i.high) };
}
