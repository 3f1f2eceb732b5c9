import type { Context } from "hono";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { callerKey } from "../keys/auth";
import { hasBudget, reserve, settle } from "../keys/budget";
import { type CallBound, costJson, DEFAULT_MODEL, maxCostPico, usageJson } from "../metering/cost";
import { recordInBackground } from "../metering/ledger";
import { type Endpoint, type LedgerError, MeteredRequest } from "../metering/metered-request";
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
    meter.hold = await reserve(c.env, c.get("db"), key, meter.requestId, pico);
  }
  return { meter, model: chosen };
}

/**
 * Once the request has ended, whatever the outcome, off the caller's clock: writes its ledger
 * rows, and turns its reservation into what it really cost.
 */
export function closeMeter(c: Context<AppEnv>, meter: MeteredRequest, model: string, status: number, error: LedgerError | null) {
  recordInBackground(c.executionCtx, c.get("db"), meter.ledgerRows(status, error, model));
  if (meter.hold) c.executionCtx.waitUntil(settle(c.env, meter.hold, BigInt(meter.cost.costPico), meter.startedAt));
}

/** The SPEC's common fields of every task answer. */
export function meteredFields(meter: MeteredRequest, model: string) {
  return {
    id: meter.requestId,
    model,
    usage: usageJson(meter.usage),
    cost: costJson(meter.cost),
    latency_ms: meter.latencyMs(),
  };
}
