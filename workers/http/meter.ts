import type { Context } from "hono";
import { afterSpend } from "../alerts/budget-use";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { callerKey } from "../keys/auth";
import { checkBudget } from "../keys/budget";
import { costJson, DEFAULT_MODEL, usageJson } from "../metering/cost";
import { recordInBackground } from "../metering/ledger";
import { type Endpoint, type LedgerError, MeteredRequest } from "../metering/metered-request";
import { billedTier, loadPrices, priceAt, pricedModels } from "../metering/prices";

/**
 * Checks that the model has a price at the tier the request asks for (a call nanometer could not
 * bill is refused before it is made), and the key's budget, and opens the request's meter.
 */
export async function openMeter(c: Context<AppEnv>, endpoint: Endpoint, model: string | undefined, serviceTier?: string | null) {
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
  await checkBudget(c.get("db"), key); // 402 once the key's daily budget is spent, before any upstream call
  return { meter: new MeteredRequest(c.get("requestId"), key.id, endpoint, prices, tier), model: chosen };
}

/** Writes the request's ledger rows once it has ended, whatever the outcome, off the caller's clock. */
export function closeMeter(c: Context<AppEnv>, meter: MeteredRequest, model: string, status: number, error: LedgerError | null) {
  const written = recordInBackground(c.executionCtx, c.get("db"), meter.ledgerRows(status, error, model));
  // Then the budget thresholds the key's spend has reached (alerts/): recorded, never sent from here.
  c.executionCtx.waitUntil(written.then(() => afterSpend(c.get("db"), callerKey(c.get("caller")), meter.startedAt)));
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
