import { z } from "zod";
import type { ApiKey } from "../db/schema";
import type { Env } from "../env";
import type { Db } from "../db/client";
import { usd, usdOrNull, usdSchema } from "../metering/money";
import { budgetsOf, gateOf } from "./budget";
import { spentIn } from "./key-spend";
import { type Period, periodEnd, periodOf } from "./reservations";

export const keySchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    key_prefix: z.string().meta({ description: "The key's first characters, to recognize it (the key itself is shown once)" }),
    created: z.iso.datetime(),
    revoked: z.iso.datetime().nullable(),
    daily_budget_usd: usdSchema.nullable(),
    monthly_budget_usd: usdSchema.nullable(),
    rpm: z.int().nullable().meta({ description: "Requests per minute; null: the deployment's RATE_LIMIT_RPM" }),
  })
  .meta({ id: "Key" });

export function keyJson(k: ApiKey): z.infer<typeof keySchema> {
  const budgets = budgetsOf(k);
  return {
    id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    created: new Date(k.createdAt).toISOString(),
    revoked: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
    daily_budget_usd: usdOrNull(budgets.day),
    monthly_budget_usd: usdOrNull(budgets.month),
    rpm: k.rpm,
  };
}

const periodSpend = z.strictObject({
  period: z.string().meta({ description: "The UTC day (YYYY-MM-DD) or month (YYYY-MM)" }),
  budget_usd: usdSchema.nullable(),
  spent_usd: usdSchema.meta({ description: "Spent in the period, from the ledger" }),
  reserved_usd: usdSchema.meta({ description: "Held by the key's calls in flight" }),
  resets_at: z.iso.datetime(),
});

/** A key with its budget use now. */
export const keyWithSpendSchema = keySchema
  .extend({ spend: z.strictObject({ day: periodSpend, month: periodSpend }) })
  .meta({ id: "KeyWithSpend" });

/**
 * A key's budget use per period: spent (the ledger's), and reserved by its calls in flight (its
 * gate's; asked only of keys with a budget).
 */
export async function keyWithSpend(c: { env: Env; db: Db }, key: ApiKey, now: number): Promise<z.infer<typeof keyWithSpendSchema>> {
  const budgets = budgetsOf(key);
  const gate = budgets.day === null && budgets.month === null ? null : await gateOf(c.env, key.id).snapshot(key.id).catch(() => null);
  const period = async (p: Period) => ({
    period: periodOf(p, now),
    budget_usd: usdOrNull(budgets[p]),
    spent_usd: usd(await spentIn(c.db, key.id, p, periodOf(p, now))),
    reserved_usd: usd(gate ? (p === "day" ? gate.dayReserved : gate.monthReserved) : 0n),
    resets_at: new Date(periodEnd(p, now)).toISOString(),
  });
  return { ...keyJson(key), spend: { day: await period("day"), month: await period("month") } };
}
