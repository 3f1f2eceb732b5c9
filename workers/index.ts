import { app } from "./app";
import { dbFor } from "./db/client";
import type { Env } from "./env";
import { POLL_CRON, runPollers } from "./poll";
import { retentionDays, runDailyRollup } from "./spend/rollup";

export default {
  fetch: app.fetch,
  /**
   * The crons (wrangler.toml [triggers]): every few minutes, the pollers (poll.ts); daily, roll up
   * yesterday, re-roll the days before, apply retention.
   */
  async scheduled(controller, env) {
    if (controller.cron === POLL_CRON) return runPollers(env, controller.scheduledTime);
    const { rolled, deletedLedgerRows } = await runDailyRollup(dbFor(env.DB), controller.scheduledTime, retentionDays(env));
    console.log("rollup", JSON.stringify({ days: rolled.map((r) => r.day), deletedLedgerRows }));
  },
} satisfies ExportedHandler<Env>;

/** Durable Object classes must be exported from the main module (wrangler.toml [[durable_objects.bindings]]). */
export { KeyGate } from "./keys/key-gate";
