import { app } from "./app";
import { dbFor } from "./db/client";
import type { Env } from "./env";
import type { LedgerMessage } from "./metering/ledger";
import { consumeLedger } from "./metering/ledger-queue";
import { POLL_CRON, runPollers } from "./poll";
import { retentionDays, runDailyRollup } from "./spend/rollup";

export default {
  fetch: app.fetch,
  /** The ledger queue's consumer (and its dead-letter queue's, when one replays it: README). */
  async queue(batch, env) {
    const { written, retried } = await consumeLedger(batch as MessageBatch<LedgerMessage>, env);
    if (retried) console.log("ledger queue", JSON.stringify({ queue: batch.queue, written, retried }));
  },
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
