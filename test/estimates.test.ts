import { describe, expect, it } from "vitest";
import { costRatio, scaled, wilson } from "../workers/spend/estimates";

/** The moments of a list of (x, y) pairs, as the rollup sums them. */
const moments = (pairs: [number, number][]) => ({
  n: pairs.length,
  sumX: pairs.reduce((s, [x]) => s + x, 0),
  sumY: pairs.reduce((s, [, y]) => s + y, 0),
  sumXX: pairs.reduce((s, [x]) => s + x * x, 0),
  sumYY: pairs.reduce((s, [, y]) => s + y * y, 0),
  sumXY: pairs.reduce((s, [x, y]) => s + x * y, 0),
});

describe("wilson()", () => {
  it("gives 8 of 10 the 95% score interval [0.490, 0.943]", () => {
    const w = wilson(8, 10)!;
    expect(w.estimate).toBe(0.8);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
  });

  it("stays inside 0..1 at the edges, and is null when nothing was judged", () => {
    const all = wilson(5, 5)!;
    expect([all.estimate, all.high]).toEqual([1, 1]);
    expect(all.low).toBeCloseTo(0.5655, 4); // n / (n + z²) for k = n
    const none = wilson(0, 5)!;
    expect([none.estimate, none.low]).toEqual([0, 0]);
    expect(none.high).toBeCloseTo(0.4345, 4);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe("costRatio()", () => {
  // By hand: Σx = 600, Σy = 1800, R = 3; residuals y − 3x are 0, −100, 100, so Σ(y − Rx)² = 20 000
  // (= Σy² 1 340 000 − 2·3·Σxy 430 000 + 9·Σx² 140 000); s² = 10 000; SE = sqrt(10 000 / 3) / 200.
  const pairs: [number, number][] = [[100, 300], [200, 500], [300, 1000]];
  const se = Math.sqrt(10_000 / 3) / 200;

  it("is Σy/Σx with the ratio estimator's delta-method 95% interval", () => {
    const r = costRatio(moments(pairs))!;
    expect(r.estimate).toBe(3);
    expect(se).toBeCloseTo(0.288675, 6);
    expect(r.low).toBeCloseTo(2.434207, 5);
    expect(r.high).toBeCloseTo(3.565793, 5);
  });

  it("has no width when every pair has the same ratio, and never goes below 0", () => {
    expect(costRatio(moments([[100, 250], [300, 750], [8, 20]]))).toEqual({ estimate: 2.5, low: 2.5, high: 2.5 });
    const wide = costRatio(moments([[100, 1], [1, 100]]))!;
    expect(wide.low).toBe(0);
    expect(wide.high).toBeGreaterThan(wide.estimate);
  });

  it("needs one pair for the estimate and two for the interval; nothing from no pairs or Σx = 0", () => {
    expect(costRatio(moments([[200, 900]]))).toEqual({ estimate: 4.5, low: null, high: null });
    expect(costRatio(moments([]))).toBeNull();
    expect(costRatio(moments([[0, 900], [0, 100]]))).toBeNull();
  });
});

describe("scaled()", () => {
  it("applies a ratio to an amount in whole nano-USD, keeping nulls", () => {
    expect(scaled(costRatio(moments([[100, 300], [200, 500], [300, 1000]])), 1_000_000)).toEqual({
      estimate: 3_000_000,
      low: Math.round((3 - 1.959963984540054 * Math.sqrt(10_000 / 3) / 200) * 1_000_000),
      high: Math.round((3 + 1.959963984540054 * Math.sqrt(10_000 / 3) / 200) * 1_000_000),
    });
    expect(scaled({ estimate: 4.5, low: null, high: null }, 3)).toEqual({ estimate: 14, low: null, high: null });
    expect(scaled(null, 3)).toBeNull();
  });
});
