import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { type Alert, alerts } from "../db/schema";
import { type AlertEvent, alertEventSchemas } from "./events";
import { badRequest } from "../errors";
import { DAY_MS, daySchema, dayStartMs } from "../spend/days";

export const alertsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(100).optional(),
  type: z.enum(["budget_threshold", "spend_anomaly"]).optional(),
  key_id: z.string().max(100).optional(),
  from: daySchema.optional(),
  to: daySchema.optional(),
});
type AlertsQuery = z.infer<typeof alertsQuery>;

/** The cursor is the last event's position in (created desc, id desc) order. */
const encodeCursor = (a: Alert) => btoa(`${a.createdAt}:${a.id}`);
function decodeCursor(cursor: string): { createdAt: number; id: string } {
  let text = "";
  try {
    text = atob(cursor);
  } catch {}
  const [, time, id] = /^(\d+):(alert_\w+)$/.exec(text) ?? [];
  if (time === undefined || id === undefined) throw badRequest("cursor is not one this API gave", "cursor");
  return { createdAt: Number(time), id };
}

/**
 * The stored body read back with every number as it was written (JSON.parse's source text, kept
 * as raw JSON): money stays exact, and the listing shows the event as the webhook received it.
 */
const exactly = (body: string): Record<string, unknown> =>
  JSON.parse(body, ((_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? JSON.rawJSON(context.source) : value) as Parameters<typeof JSON.parse>[1]);

const isoOrNull = z.iso.datetime().nullable();

const deliverySchema = z
  .strictObject({
    state: z.enum(["delivered", "failing", "pending"]),
    attempts: z.int(),
    delivered_at: isoOrNull,
    next_attempt_at: isoOrNull,
    last_status: z.int().nullable(),
    last_error: z.string().nullable(),
    history: z.array(z.strictObject({ at: z.iso.datetime(), status: z.int().nullable(), error: z.string().nullable(), ms: z.int() })),
  })
  .meta({ id: "AlertDelivery", description: "Where the webhook delivery stands, with every attempt" });

/** An event as listed: its webhook body, and its delivery. */
const [threshold, anomaly] = alertEventSchemas;
export const listedAlertSchema = z.discriminatedUnion("type", [threshold.extend({ delivery: deliverySchema }), anomaly.extend({ delivery: deliverySchema })]);

/** Where an event's delivery stands: delivered (a 2xx), failing (the last attempt did not get one), or pending. */
function deliveryJson(a: Alert): z.infer<typeof deliverySchema> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    state: a.deliveredAt !== null ? "delivered" : a.lastError !== null ? "failing" : "pending",
    attempts: a.attempts,
    delivered_at: iso(a.deliveredAt),
    next_attempt_at: iso(a.nextAttemptAt),
    last_status: a.lastStatus,
    last_error: a.lastError,
    history: JSON.parse(a.history) as z.infer<typeof deliverySchema>["history"],
  };
}

/** Events newest first, each its webhook body and its `delivery`, `{data, next_cursor}`. */
export async function listAlerts(db: Db, q: AlertsQuery) {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw badRequest(`from (${q.from}) is after to (${q.to})`, "from");
  const where: (SQL | undefined)[] = [
    q.type === undefined ? undefined : eq(alerts.type, q.type),
    q.key_id === undefined ? undefined : eq(alerts.keyId, q.key_id),
    q.from === undefined ? undefined : gte(alerts.createdAt, dayStartMs(q.from)),
    q.to === undefined ? undefined : lt(alerts.createdAt, dayStartMs(q.to) + DAY_MS),
  ];
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(or(lt(alerts.createdAt, c.createdAt), and(eq(alerts.createdAt, c.createdAt), lt(alerts.id, c.id))));
  }
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    // The body is the event recorded by events.ts, read back as it was written.
    data: page.map((a) => ({ ...(exactly(a.body) as AlertEvent), delivery: deliveryJson(a) })),
    next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null,
  };
}
