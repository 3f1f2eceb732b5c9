import { dbFor } from "../db/client";
import type { Env } from "../env";
import { addDays, dayOf } from "../spend/days";
import { detectAnomalies } from "./anomaly";
import { sweepBudgets } from "./budget-use";
import { deliverDue } from "./delivery";

/** The poll cron's interval: every 5 minutes (wrangler.toml). */
const POLL_MS = 5 * 60_000;

/**
 * The alerts poller (workers/poll.ts), every few minutes: records what the budget path could not
 * see (spend written by shadow calls, batches, the cron itself) and the day's anomalies, for
 * today and yesterday (spend that landed after the last poll of the day), then delivers what is due.
 */
export async function pollAlerts(env: Env, now: number) {
  const db = dbFor(env.DB);
  const today = dayOf(now);
  const days = [addDays(today, -1), today];
  await sweepBudgets(db, now, POLL_MS);
  const anomalies = await detectAnomalies(db, env, days, now);
  return { anomalies, ...(await deliverDue(db, env, now)) };
}
