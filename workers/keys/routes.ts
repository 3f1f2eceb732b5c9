import { Hono } from "hono";
import { z } from "zod";
import type { ApiKey } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { readJson, validate } from "../http/body";
import { picoFromUsd, usd, usdOrNull } from "../metering/money";
import { requireAdmin } from "./auth";
import { budgetsOf, gateOf } from "./budget";
import { spentIn } from "./key-spend";
import { type Period, periodEnd, periodOf } from "./reservations";
import { createKey, type KeySettings, listKeys, revokeKey, updateKey } from "./store";

const budgetUsd = z
  .number()
  .positive()
  .max(1e6)
  .refine((usd) => picoFromUsd(usd) !== null, "a budget has at most 6 decimals (a micro-dollar)")
  .nullable()
  .optional();

const keySettings = z.strictObject({
  name: z.string().trim().min(1).max(200),
  daily_budget_usd: budgetUsd,
  monthly_budget_usd: budgetUsd,
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
});
const keyChanges = keySettings.partial().refine((b) => Object.keys(b).length > 0, "give at least one of name, daily_budget_usd, monthly_budget_usd, rpm");

/** The body's settings in storage units; a field left out stays as it is (null clears a budget or rpm). */
function settingsOf(body: z.infer<typeof keyChanges>): Partial<KeySettings> {
  const pico = (usd: number | null | undefined) => (usd == null ? null : Number(picoFromUsd(usd)));
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.daily_budget_usd !== undefined && { dailyBudgetPico: pico(body.daily_budget_usd) }),
    ...(body.monthly_budget_usd !== undefined && { monthlyBudgetPico: pico(body.monthly_budget_usd) }),
    ...(body.rpm !== undefined && { rpm: body.rpm }),
  };
}

/**
 * A key's budget use per period: spent (the ledger's), and reserved by its calls in flight (its
 * gate's; asked only of keys with a budget).
 */
async function spendOf(c: { env: AppEnv["Bindings"]; db: AppEnv["Variables"]["db"] }, key: ApiKey, now: number) {
  const budgets = budgetsOf(key);
  const gate = budgets.day === null && budgets.month === null ? null : await gateOf(c.env, key.id).snapshot(key.id).catch(() => null);
  const period = async (p: Period) => ({
    period: periodOf(p, now),
    budget_usd: usdOrNull(budgets[p]),
    spent_usd: usd(await spentIn(c.db, key.id, p, periodOf(p, now))),
    reserved_usd: usd(gate ? (p === "day" ? gate.dayReserved : gate.monthReserved) : 0n),
    resets_at: new Date(periodEnd(p, now)).toISOString(),
  });
  return { day: await period("day"), month: await period("month") };
}

function keyJson(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    created: new Date(k.createdAt).toISOString(),
    revoked: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
    daily_budget_usd: usdOrNull(k.dailyBudgetPico),
    monthly_budget_usd: usdOrNull(k.monthlyBudgetPico),
    rpm: k.rpm,
  };
}

export const adminKeyRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .post("/", async (c) => {
    const body = validate(keySettings, await readJson(c));
    const { row, secret } = await createKey(c.get("db"), { dailyBudgetPico: null, monthlyBudgetPico: null, rpm: null, ...settingsOf(body), name: body.name });
    return c.json({ ...keyJson(row), key: secret }, 201);
  })
  .get("/", async (c) => {
    const now = Date.now();
    const ctx = { env: c.env, db: c.get("db") };
    const keys = await listKeys(c.get("db"));
    return c.json({ data: await Promise.all(keys.map(async (k) => ({ ...keyJson(k), spend: await spendOf(ctx, k, now) }))) });
  })
  .patch("/:id", async (c) => {
    const body = validate(keyChanges, await readJson(c));
    const row = await updateKey(c.get("db"), c.req.param("id"), settingsOf(body));
    if (!row) throw new ApiError(404, "not_found", "no active key with that id");
    return c.json({ ...keyJson(row), spend: await spendOf({ env: c.env, db: c.get("db") }, row, Date.now()) });
  })
  .delete("/:id", async (c) => {
    const row = await revokeKey(c.get("db"), c.req.param("id"));
    if (!row) throw new ApiError(404, "not_found", "no key with that id");
    return c.json(keyJson(row));
  });
