import type { Db } from "../db/client";
import { alerts } from "../db/schema";
import { randomHex } from "../keys/secrets";
import { usd } from "../metering/money";

export type AlertType = "budget_threshold" | "spend_anomaly";

/** An event to record: what the webhook body says, and the columns that make it once-only. */
export interface NewAlert {
  type: AlertType;
  key: { id: string; name: string };
  /** A UTC day (YYYY-MM-DD) or month (YYYY-MM). */
  period: string;
  /** Percent of the budget for a threshold; 0 for an anomaly. */
  threshold: number;
  spentPico: bigint;
  budgetPico: bigint | null;
  /** The event's own fields after the common ones (an anomaly's baseline). */
  details?: Record<string, unknown>;
}

/**
 * The event's JSON, fixed once: the webhook receives these bytes on every attempt, and the
 * listing shows them. Money is exact (usd()); a threshold is a fraction of the budget.
 */
function eventBody(id: string, alert: NewAlert, now: number): string {
  return JSON.stringify({
    id,
    type: alert.type,
    created: new Date(now).toISOString(),
    key_id: alert.key.id,
    key_name: alert.key.name,
    period: alert.period,
    ...(alert.threshold > 0 && { threshold: alert.threshold / 100 }),
    spent_usd: usd(alert.spentPico),
    ...(alert.budgetPico !== null && { budget_usd: usd(alert.budgetPico) }),
    ...alert.details,
  });
}

/**
 * Records events, each at most once per (type, key, period, threshold): an event already there
 * (recorded by another call, isolate or cron run) is left as it was, id and body included.
 * Returns how many were new. They are due for delivery at once.
 */
export async function recordAlerts(db: Db, events: NewAlert[], now = Date.now()): Promise<number> {
  const inserts = events.map((alert) => {
    const id = `alert_${randomHex(12)}`;
    return db
      .insert(alerts)
      .values({
        id,
        type: alert.type,
        keyId: alert.key.id,
        period: alert.period,
        threshold: alert.threshold,
        spentPico: Number(alert.spentPico),
        budgetPico: alert.budgetPico === null ? null : Number(alert.budgetPico),
        body: eventBody(id, alert, now),
        createdAt: now,
        nextAttemptAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: alerts.id });
  });
  const [first, ...rest] = inserts;
  if (!first) return 0;
  const results = await db.batch([first, ...rest]);
  return results.reduce((n, inserted) => n + inserted.length, 0);
}
