import type { Env } from "../env";
import { dbFor } from "../db/client";
import { ApiError } from "../errors";
import { nextToPoll, settle } from "../keys/owned";
import { lineBudget, type MeterState, meterBatch } from "./meter";
import { retrieveOwnedBatch } from "./owners";

/**
 * Open batches looked at per run (one upstream call each, inside a Worker's subrequest limit),
 * taken fairly across keys and least recently polled first (keys/owned.ts nextToPoll): with more
 * open at once, the ones left wait for a later run (an owner's GET meters its batch at once).
 */
const BATCHES_PER_RUN = 50;

/**
 * The cron's poll of open batches: each is asked of the upstream and, once terminal, metered by
 * the same writer as the owner's GET. A batch the upstream no longer has is settled with nothing
 * to bill (and logged), so it stops being polled.
 */
export async function pollBatches(env: Env, now = Date.now()): Promise<Record<MeterState | "gone" | "failed", number>> {
  const db = dbFor(env.DB);
  const counts = { running: 0, partial: 0, settled: 0, gone: 0, failed: 0 };
  const budget = lineBudget();
  for (const owned of await nextToPoll(db, "batch", BATCHES_PER_RUN, now)) {
    if (budget.lines <= 0) break;
    try {
      counts[await meterBatch(env, db, owned, await retrieveOwnedBatch(env, db, owned.id), budget)] += 1;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        console.error("batch gone upstream, nothing to meter", owned.id);
        await settle(db, "batch", owned.id);
        counts.gone += 1;
      } else {
        console.error("batch poll failed", owned.id, err instanceof Error ? err.message : String(err));
        counts.failed += 1;
      }
    }
  }
  return counts;
}
