import { z } from "zod";
import { MINI_MODEL } from "../metering/cost";
import { usd, usdOrNull, usdSchema } from "../metering/money";
import { measuredCost, wilson } from "./estimates";
import type { Measured } from "./metrics";

/**
 * What a spend row's sums support, in storage units (pico-USD): nano's agreement with mini, the
 * measured mini projection (each endpoint's nano spend × mini's cost ratio on its shadow pairs,
 * plus what already ran on mini, summed) and the cost per successful request. A request either
 * answered 200 or is an error (final status ≥ 400). The projection and the cost per success are
 * estimates and averages, rounded to whole pico-USD; every other figure is an exact sum.
 */
export function derived(m: Measured) {
  const successes = m.requests - m.errors;
  const strata = Object.entries(m.strata).map(([key, e]) => ({
    cost: Number(e.costPico),
    onMini: key.endsWith(ON_MINI),
    pairs: {
      n: e.pairs,
      sumX: Number(e.pairNanoCostPico),
      sumY: Number(e.pairMiniCostPico),
      sumXX: e.pairNanoSq,
      sumYY: e.pairMiniSq,
      sumXY: e.pairCross,
    },
  }));
  return {
    agreement: wilson(m.agreed, m.judged),
    measuredPico: measuredCost(strata),
    costPerSuccessPico: successes > 0 ? divideRounded(m.costPico, BigInt(successes)) : null,
  };
}

/** The end of a stratum's key, JSON [endpoint, model], when its model is mini (read without parsing: a year by day has thousands). */
const ON_MINI = `,${JSON.stringify(MINI_MODEL)}]`;

/** a / b rounded half up, in integers. */
const divideRounded = (a: bigint, b: bigint) => (2n * a + b) / (2n * b);

const ratioOrNull = z.number().nullable();

/** The SPEC's spend fields and the shadow comparison's (README: Proof that nano is enough). */
export const metricsSchema = z.strictObject({
  requests: z.int().meta({ description: "Requests, each counted once (on its last attempt); shadow calls not included" }),
  errors: z.int().meta({ description: "Requests whose final status was 400 or more" }),
  input_tokens: z.int(),
  cached_tokens: z.int(),
  cache_write_tokens: z.int(),
  output_tokens: z.int(),
  reasoning_tokens: z.int(),
  cost_usd: usdSchema,
  mini_cost_usd: usdSchema.meta({ description: "The same tokens at gpt-5.4-mini's prices" }),
  saved_usd: usdSchema,
  cache_hit_ratio: z.number().meta({ description: "Cached over input tokens" }),
  escalations: z.int(),
  shadow_requests: z.int(),
  shadow_cost_usd: usdSchema,
  agreement: ratioOrNull.meta({ description: "Agreed over judged shadow calls; null when none was judged" }),
  agreement_low: ratioOrNull,
  agreement_high: ratioOrNull,
  mini_cost_usd_measured: usdSchema.nullable().meta({ description: "What mini would have cost, measured from shadow pairs; null when it cannot be" }),
  mini_cost_usd_measured_low: usdSchema.nullable(),
  mini_cost_usd_measured_high: usdSchema.nullable(),
  cost_per_success_usd: usdSchema.nullable(),
});

/** The SPEC's spend fields and the shadow comparison's; USD only here, at the JSON edge. */
export function metricsJson(m: Measured): z.infer<typeof metricsSchema> {
  const { agreement, measuredPico, costPerSuccessPico } = derived(m);
  return {
    requests: m.requests,
    errors: m.errors,
    input_tokens: m.inputTokens,
    cached_tokens: m.cachedTokens,
    cache_write_tokens: m.cacheWriteTokens,
    output_tokens: m.outputTokens,
    reasoning_tokens: m.reasoningTokens,
    cost_usd: usd(m.costPico),
    mini_cost_usd: usd(m.miniCostPico),
    saved_usd: usd(m.miniCostPico - m.costPico),
    cache_hit_ratio: m.inputTokens === 0 ? 0 : m.cachedTokens / m.inputTokens,
    escalations: m.escalations,
    shadow_requests: m.shadowRequests,
    shadow_cost_usd: usd(m.shadowCostPico),
    agreement: agreement?.estimate ?? null,
    agreement_low: agreement?.low ?? null,
    agreement_high: agreement?.high ?? null,
    mini_cost_usd_measured: usdOrNull(measuredPico?.estimate),
    mini_cost_usd_measured_low: usdOrNull(measuredPico?.low),
    mini_cost_usd_measured_high: usdOrNull(measuredPico?.high),
    cost_per_success_usd: usdOrNull(costPerSuccessPico),
  };
}
