import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { validate } from "../http/body";
import { requireAdmin } from "../keys/auth";
import { usd } from "../metering/money";
import { scopeKeyId } from "../spend/routes";
import { type BudgetState, budgetStates } from "./budget-use";
import { alertsQuery, listAlerts } from "./list";

/** GET /v1/admin/alerts: every alert event with its delivery state (admin token). */
export const adminAlertRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .get("/", async (c) => c.json(await listAlerts(c.get("db"), validate(alertsQuery, c.req.query()))));

function budgetJson(b: BudgetState) {
  return {
    key_id: b.key.id,
    key_name: b.key.name,
    period: b.period,
    budget_usd: usd(b.budgetPico),
    spent_usd: usd(b.spentPico),
    // spent / budget, to six decimals (1 or more: spent).
    used: Number((b.spentPico * 1_000_000n) / b.budgetPico) / 1e6,
    resets_at: new Date(b.resetsAt).toISOString(),
  };
}

/**
 * GET /v1/spend/budgets: the budgets in force and what is spent of each. A key reads its own;
 * the admin reads every active key's, or one key's with `key_id`. `key_id` in the answer says
 * whose they are (null: every key's).
 */
export const budgetRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const q = validate(z.object({ key_id: z.string().max(100).optional() }), c.req.query());
  const keyId = scopeKeyId(c.get("caller"), q.key_id);
  const states = await budgetStates(c.get("db"), keyId, Date.now());
  return c.json({ key_id: keyId ?? null, data: states.map(budgetJson) });
});
