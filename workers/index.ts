import { app } from "./app";
import { dbFor } from "./db/client";
import type { Env } from "./env";
import { retentionDays, runDailyRollup } from "./spend/rollup";

export default {
  fetch: app.fetch,
  /** The cron (wrangler.toml [triggers]): roll up yesterday, re-roll the days before, apply retention. */
  async scheduled(controller, env) {
    const { rolled, deletedLedgerRows } = await runDailyRollup(dbFor(env.DB), controller.scheduledTime, retentionDays(env));
    console.log("rollup", JSON.stringify({ days: rolled.map((r) => r.day), deletedLedgerRows }));
  },
} satisfies ExportedHandler<Env>;

/** Durable Object classes must be exported from the main module (wrangler.toml [[durable_objects.bindings]]). */
export { RateLimiter } from "./keys/rate-limiter";
