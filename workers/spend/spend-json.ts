import { usd } from "../metering/cost";
import { costRatio, scaled, wilson } from "./estimates";
import type { Metrics } from "./metrics";

/**
 * What a spend row's sums support, in storage units (nano-USD): nano's agreement with mini, the
 * measured mini projection (the group's cost × mini's cost ratio on its shadow pairs) and the cost
 * per successful request. A request either answered 200 or is an error (final status ≥ 400).
 */
export function derived(m: Metrics) {
  const successes = m.requests - m.errors;
  const ratio = costRatio({
    n: m.pairs,
    sumX: m.pairNanoCostNano,
    sumY: m.pairMiniCostNano,
    sumXX: m.pairNanoSq,
    sumYY: m.pairMiniSq,
    sumXY: m.pairCross,
  });
  return {
    agreement: wilson(m.agreed, m.judged),
    measuredNano: scaled(ratio, m.costNano),
    costPerSuccessNano: successes > 0 ? Math.round(m.costNano / successes) : null,
  };
}

const usdOrNull = (nano: number | null | undefined) => (nano === null || nano === undefined ? null : usd(nano));

/** The SPEC's spend fields and the shadow comparison's; USD only here, at the JSON edge. */
export function metricsJson(m: Metrics) {
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
