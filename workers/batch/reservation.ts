import type { Context } from "hono";
import type { AppEnv } from "../env";
import { callerKey } from "../keys/auth";
import { hasBudget, type Hold, reserve, settle } from "../keys/budget";
import { type CallBound, maxCostPico } from "../metering/cost";
import { loadPrices } from "../metering/prices";
import { BATCH_TIER } from "./input-check";

/** A batch completes within its 24 h window; its reservation is held until it is metered, a little longer at most. */
const BATCH_HOLD_MS = 25 * 3_600_000;

/**
 * Reserves a new batch's largest possible cost (every line's bound at the batch price) against
 * its key's budgets, or throws 402: a key cannot start a batch its budget could not pay. The hold
 * is the creating request's (its id), and ends when the batch is metered (meter.ts); `run`
 * creates the batch, and a failure there ends the hold at once.
 */
export async function withBatchReservation<T>(c: Context<AppEnv>, bound: CallBound, run: () => Promise<T>): Promise<T> {
  const key = callerKey(c.get("caller"));
  let hold: Hold | null = null;
  if (hasBudget(key)) {
    const now = Date.now();
    const pico = maxCostPico(await loadPrices(c.get("db")), BATCH_TIER, bound, now);
    hold = await reserve(c.env, c.get("db"), c.executionCtx, key, c.get("requestId"), pico, false, BATCH_HOLD_MS);
  }
  try {
    return await run();
  } catch (err) {
    if (hold) c.executionCtx.waitUntil(settle(c.env, hold, 0n, Date.now()));
    throw err;
  }
}
