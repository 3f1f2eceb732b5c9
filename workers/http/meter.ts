import type { Context } from "hono";
import { afterSettle } from "../alerts/budget-use";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { callerKey } from "../keys/auth";
import { hasBudget, reserve, settle } from "../keys/budget";
import { z } from "zod";
import { type CallBound, costJson, costSchema, DEFAULT_MODEL, maxCostPico, usageJson, usageSchema } from "../metering/cost";
import { recordInBackground } from "../metering/ledger";
import { type Endpoint, type LedgerError, MeteredRequest, OUTCOMES } from "../metering/metered-request";
import { usd, usdSchema } from "../metering/money";
import { billedTier, loadPrices, priceAt, pricedModels } from "../metering/prices";

/**
 * Checks that the model has a price at the tier the request asks for (a call nanometer could not
 * bill is refused before it is made), reserves the call's largest possible cost against the key's
 * budgets (`bounds`: the calls the request may make, asked only of keys with a budget; 402 when
 * it does not fit), and opens the request's meter, attributed as the call's headers and body say.
 */
export async function openMeter(
  c: Context<AppEnv>,
  endpoint: Endpoint,
  model: string | undefined,
  serviceTier: string | null | undefined,
  bounds: (model: string) => CallBound[],
  /** How long the reservation may be held: longer for a call that ends after its request (a background response). */
  holdMs?: number,
) {
  const key = callerKey(c.get("caller"));
  const prices = await loadPrices(c.get("db"));
  const chosen = model ?? DEFAULT_MODEL;
  const now = Date.now();
  const priced = pricedModels(prices, now);
  if (!priced.has(chosen)) {
    throw badRequest(`model ${chosen} has no price, so it cannot be metered; use one of: ${[...priced].join(", ")}`, "model");
  }
  const tier = billedTier(serviceTier);
  if (!priceAt(prices, chosen, tier, now)) {
    const asked = serviceTier && serviceTier !== tier ? `${serviceTier} (billed as ${tier})` : tier;
    throw badRequest(`service_tier ${asked} has no price for ${chosen}, so it cannot be metered`, "service_tier");
  }
  const meter = new MeteredRequest(c.get("requestId"), key.id, endpoint, prices, tier);
  meter.attribution = c.get("attribution");
  if (hasBudget(key)) {
    const pico = bounds(chosen).reduce((sum, bound) => sum + maxCostPico(prices, tier, bound, now), 0n);
    meter.hold = await reserve(c.env, c.get("db"), c.executionCtx, key, meter.requestId, pico, true, holdMs);
  }
  return { meter, model: chosen };
}

/**
 * Once the request has ended, whatever the outcome, off the caller's clock: writes its ledger
 * rows, turns its reservation into what it really cost (without one, the rows' writer adds that
 * to the key's gate all the same), and records the budget thresholds the key's spend has now reached
 * (alerts/; recorded here, sent by the cron). The request log, when on, is told the request's
 * cost (http/request-log.ts).
 */
export function closeMeter(c: Context<AppEnv>, meter: MeteredRequest, model: string, status: number, error: LedgerError | null) {
  const { hold } = meter;
  recordInBackground(c.executionCtx, c.env, c.get("db"), meter.ledgerRows(status, error, model), hold !== null);
  c.get("onMeterClosed")?.(meter.cost);
  if (!hold) return;
  const key = callerKey(c.get("caller"));
  c.executionCtx.waitUntil(settle(c.env, hold, BigInt(meter.cost.costPico), meter.startedAt).then((gate) => gate && afterSettle(c.get("db"), key, gate)));
}

const attemptSchema = z
  .strictObject({ model: z.string(), outcome: z.enum(OUTCOMES), cost_usd: usdSchema })
  .meta({ id: "Attempt", description: "One upstream call of the request (a second one is an escalation to gpt-5.4-mini)" });

/** The SPEC's common fields of every task answer, beside the task's own. */
export const meteredSchema = z.strictObject({
  id: z.string().meta({ description: "The request's id, also its `x-request-id` header" }),
  model: z.string().meta({ description: "The model whose answer this is" }),
  usage: usageSchema,
  cost: costSchema,
  latency_ms: z.int(),
  attempts: z.array(attemptSchema),
});

export function meteredFields(meter: MeteredRequest, model: string): z.infer<typeof meteredSchema> {
  return {
    id: meter.requestId,
    model,
    usage: usageJson(meter.usage),
    cost: costJson(meter.cost),
    latency_ms: meter.latencyMs(),
    attempts: meter.attemptList.map((a) => ({ model: a.model, outcome: a.outcome, cost_usd: usd(a.cost.costPico) })),
  };
}
