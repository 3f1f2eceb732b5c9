import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Db } from "../db/client";
import { alerts } from "../db/schema";
import { randomHex } from "../keys/secrets";
import { usd, usdSchema } from "../metering/money";

export type AlertType = "budget_threshold" | "spend_anomaly";

const eventFields = {
  id: z.string(),
  created: z.iso.datetime(),
  key_id: z.string(),
  key_name: z.string(),
  period: z.string().meta({ description: "The budget's or the day's UTC period: YYYY-MM-DD, or YYYY-MM for a monthly budget" }),
  spent_usd: usdSchema.meta({ description: "The period's spend when the event was recorded" }),
};

/** The events as recorded, and as the webhook receives them (eventBody below writes them). */
export const alertEventSchemas = [
  z
    .strictObject({
      ...eventFields,
      type: z.literal("budget_threshold"),
      threshold: z.number().meta({ description: "The share of the budget passed: 0.5, 0.8, or 1 when the budget refused a call" }),
      budget_usd: usdSchema,
    })
    .meta({ id: "BudgetThresholdEvent" }),
  z
    .strictObject({
      ...eventFields,
      type: z.literal("spend_anomaly"),
      trailing_mean_usd: usdSchema.meta({ description: "The key's mean daily spend over the 7 whole days before" }),
      trailing_from: z.iso.date(),
      trailing_to: z.iso.date(),
      factor: z.number().meta({ description: "ANOMALY_FACTOR" }),
      min_usd: usdSchema.meta({ description: "ANOMALY_MIN_USD" }),
    })
    .meta({ id: "SpendAnomalyEvent" }),
] as const;
export type AlertEvent = z.infer<(typeof alertEventSchemas)[number]>;

/** The webhook as the document describes it (OpenAPI `webhooks`): what ALERT_WEBHOOK_URL receives. */
export const alertWebhook = createRoute({
  method: "post",
  path: "alert",
  tags: ["Alerts"],
  summary: "An alert event, POSTed to ALERT_WEBHOOK_URL by the poll cron until it gets a 2xx",
  request: {
    headers: z.object({
      "x-nanometer-signature": z.string().meta({ description: "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\", keyed with ALERT_WEBHOOK_SECRET>: refuse a t more than a few minutes old" }),
    }),
    body: { required: true, content: { "application/json": { schema: z.discriminatedUnion("type", alertEventSchemas) } } },
  },
  responses: { 200: { description: "Any 2xx: delivered. Anything else, or no answer in 10 s, is tried again with backoff" } },
});

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
