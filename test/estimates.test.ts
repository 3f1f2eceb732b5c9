import { describe, expect, it } from "vitest";
import { costRatio, measuredCost, wilson, Z95 } from "../workers/spend/estimates";

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

// By hand: Σx = 600, Σy = 1800, R = 3; residuals y − 3x are 0, −100, 100, so Σ(y − Rx)² = 20 000
// (= Σy² 1 340 000 − 2·3·Σxy 430 000 + 9·Σx² 140 000); s² = 10 000; SE = sqrt(10 000 / 3) / 200 = 0.288675.
const pairs: [number, number][] = [[100, 300], [200, 500], [300, 1000]];

describe("costRatio()", () => {
  it("is Σy/Σx with the ratio estimator's delta-method standard error", () => {
    const { r, se } = costRatio(moments(pairs))!;
    expect(r).toBe(3);
    expect(se).toBeCloseTo(0.288675, 6);
  });

  it("has no spread when every pair has the same ratio", () => {
    expect(costRatio(moments([[100, 250], [300, 750], [8, 20]]))).toEqual({ r: 2.5, se: 0 });
  });

  it("needs one pair for the ratio and two for its error; nothing from no pairs or Σx = 0", () => {
    expect(costRatio(moments([[200, 900]]))).toEqual({ r: 4.5, se: null });
    expect(costRatio(moments([]))).toBeNull();
    expect(costRatio(moments([[0, 900], [0, 100]]))).toBeNull();
  });
});

describe("measuredCost()", () => {
  it("applies one stratum's ratio to its cost, ± 1.96 SE, in whole money units: 3 ± 0.565793 on 1 000 000", () => {
    expect(measuredCost([{ cost: 1_000_000, pairs: moments(pairs) }])).toEqual({ estimate: 3_000_000, low: 2_434_207, high: 3_565_793 });
  });

  it("adds strata at their own ratios, their variances summed", () => {
    // Stratum B: R = 2.5 exactly, SE 0. Total 3·1 000 000 + 2.5·400 000; half-width that of stratum A alone.
    const b = { cost: 400_000, pairs: moments([[100, 250], [300, 750], [8, 20]]) };
    expect(measuredCost([{ cost: 1_000_000, pairs: moments(pairs) }, b])).toEqual({ estimate: 4_000_000, low: 3_434_207, high: 4_565_793 });
    // Two strata with SE 0.288675 on 1 000 000 and on 2 000 000: half-width 1.96 · sqrt(1 + 4) · 288 675.
    const half = Z95 * Math.sqrt(5) * (Math.sqrt(10_000 / 3) / 200) * 1_000_000;
    expect(measuredCost([{ cost: 1_000_000, pairs: moments(pairs) }, { cost: 2_000_000, pairs: moments(pairs) }])).toEqual({
      estimate: 9_000_000,
      low: Math.round(9_000_000 - half),
      high: Math.round(9_000_000 + half),
    });
  });

  it("counts spend already on mini as it is, with no spread", () => {
    const onMini = { cost: 700_000, pairs: moments([]), onMini: true };
    expect(measuredCost([{ cost: 1_000_000, pairs: moments(pairs) }, onMini])).toEqual({ estimate: 3_700_000, low: 3_134_207, high: 4_265_793 });
    expect(measuredCost([onMini])).toEqual({ estimate: 700_000, low: 700_000, high: 700_000 });
  });

  it("is never guessed: null when a stratum with spend has no pair, no interval when one has a single pair, never below 0", () => {
    expect(measuredCost([{ cost: 1_000_000, pairs: moments(pairs) }, { cost: 5, pairs: moments([]) }])).toBeNull();
    expect(measuredCost([{ cost: 1_000_000, pairs: moments(pairs) }, { cost: 0, pairs: moments([]) }])).toMatchObject({ estimate: 3_000_000 });
    expect(measuredCost([{ cost: 3, pairs: moments([[200, 900]]) }])).toEqual({ estimate: 14, low: null, high: null });
    expect(measuredCost([{ cost: 1000, pairs: moments([[100, 1], [1, 100]]) }])?.low).toBe(0);
    expect(measuredCost([])).toBeNull();
  });
});
