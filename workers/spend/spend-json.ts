import { MINI_MODEL, usd } from "../metering/cost";
import { measuredCost, wilson } from "./estimates";
import type { Measured } from "./metrics";

/**
 * What a spend row's sums support, in storage units (nano-USD): nano's agreement with mini, the
 * measured mini projection (each endpoint's nano spend × mini's cost ratio on its shadow pairs,
 * plus what already ran on mini, summed) and the cost per successful request. A request either
 * answered 200 or is an error (final status ≥ 400).
 */
export function derived(m: Measured) {
  const successes = m.requests - m.errors;
  const strata = Object.entries(m.strata).map(([key, e]) => ({
    costNano: e.costNano,
    onMini: (JSON.parse(key) as [string, string])[1] === MINI_MODEL,
    pairs: { n: e.pairs, sumX: e.pairNanoCostNano, sumY: e.pairMiniCostNano, sumXX: e.pairNanoSq, sumYY: e.pairMiniSq, sumXY: e.pairCross },
  }));
  return {
    agreement: wilson(m.agreed, m.judged),
    measuredNano: measuredCost(strata),
    costPerSuccessNano: successes > 0 ? Math.round(m.costNano / successes) : null,
  };
}

const usdOrNull = (nano: number | null | undefined) => (nano === null || nano === undefined ? null : usd(nano));

/** The SPEC's spend fields and the shadow comparison's; USD only here, at the JSON edge. */
export function metricsJson(m: Measured) {
  const { agreement, measuredNano, costPerSuccessNano } = derived(m);
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
    escalations: m.escalations,
    shadow_requests: m.shadowRequests,
    shadow_cost_usd: usd(m.shadowCostNano),
    agreement: agreement?.estimate ?? null,
    agreement_low: agreement?.low ?? null,
    agreement_high: agreement?.high ?? null,
    mini_cost_usd_measured: usdOrNull(measuredNano?.estimate),
    mini_cost_usd_measured_low: usdOrNull(measuredNano?.low),
    mini_cost_usd_measured_high: usdOrNull(measuredNano?.high),
    cost_per_success_usd: usdOrNull(costPerSuccessNano),
  };
}
