import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireAdmin } from "../keys/auth";
import { usd, usdSchema } from "../metering/money";
import { ADMIN, apiRoute, apiRoutes, errorAnswers, jsonAnswer, KEY_OR_ADMIN } from "../openapi/define";
import { scopeKeyId } from "../spend/read-scope";
import { type BudgetState, budgetStates } from "./budget-use";
import { alertsQuery, listAlerts, listedAlertSchema } from "./list";

const listAlertsRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["Alerts"],
  summary: "Every alert event (budget thresholds, spend anomalies), newest first, with its webhook delivery",
  security: ADMIN,
  request: { query: alertsQuery },
  responses: {
    200: jsonAnswer(z.strictObject({ data: z.array(listedAlertSchema), next_cursor: z.string().nullable() }), "A page of events"),
    ...errorAnswers(400, 401, 403, 429, 500),
  },
});

/** GET /v1/admin/alerts: every alert event with its delivery state (admin token). */
export const adminAlertRoutes = apiRoutes([apiRoute(listAlertsRoute, async (c) => c.json(await listAlerts(c.get("db"), c.req.valid("query")), 200))], requireAdmin);

const budgetSchema = z
  .strictObject({
    key_id: z.string(),
    key_name: z.string(),
    period: z.string().meta({ description: "The UTC day (YYYY-MM-DD) of a daily budget, the month (YYYY-MM) of a monthly one" }),
    budget_usd: usdSchema,
    spent_usd: usdSchema,
    used: z.number().meta({ description: "spent / budget, to six decimals (1 or more: spent)" }),
    resets_at: z.iso.datetime(),
  })
  .meta({ id: "Budget" });

function budgetJson(b: BudgetState): z.infer<typeof budgetSchema> {
  return {
    key_id: b.key.id,
    key_name: b.key.name,
    period: b.period,
    budget_usd: usd(b.budgetPico),
    spent_usd: usd(b.spentPico),
    used: Number((b.spentPico * 1_000_000n) / b.budgetPico) / 1e6,
    resets_at: new Date(b.resetsAt).toISOString(),
  };
}

const budgetsRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["Spend"],
  summary: "The budgets in force and what is spent of each: a key's own, or (admin) every key's or one key's",
  security: KEY_OR_ADMIN,
  request: { query: z.object({ key_id: z.string().max(100).optional() }) },
  responses: {
    200: jsonAnswer(
      z.strictObject({ key_id: z.string().nullable().meta({ description: "Whose budgets these are; null: every key's" }), data: z.array(budgetSchema) }),
      "The budgets",
    ),
    ...errorAnswers(400, 401, 403, 429, 500),
  },
});

/**
 * GET /v1/spend/budgets: the budgets in force and what is spent of each. A key reads its own;
 * the admin reads every active key's, or one key's with `key_id`. `key_id` in the answer says
 * whose they are (null: every key's).
 */
export const budgetRoutes = apiRoutes([
  apiRoute(budgetsRoute, async (c) => {
    const keyId = scopeKeyId(c.get("caller"), c.req.valid("query").key_id);
    const states = await budgetStates(c.get("db"), keyId, Date.now());
    return c.json({ key_id: keyId ?? null, data: states.map(budgetJson) }, 200);
  }),
]);
