import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { ApiError } from "../errors";
import { picoFromUsd } from "../metering/money";
import { ADMIN, apiRoute, apiRoutes, errorAnswers, jsonAnswer } from "../openapi/define";
import { requireAdmin } from "./auth";
import { openGate } from "./budget";
import { keyJson, keySchema, keyWithSpend, keyWithSpendSchema } from "./key-json";
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
const keyChanges = keySettings
  .partial()
  .refine((b) => Object.keys(b).length > 0, "give at least one of name, daily_budget_usd, monthly_budget_usd, rpm")
  .meta({ example: { daily_budget_usd: 10, rpm: 1200 } });

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

const keyId = z.object({ id: z.string() });
const tags = ["Keys"];

const createKeyRoute = createRoute({
  method: "post",
  path: "/",
  tags,
  summary: "Creates an API key; the key itself is in this answer only",
  security: ADMIN,
  request: { body: { required: true, content: { "application/json": { schema: keySettings.meta({ example: { name: "search-service", daily_budget_usd: 5, monthly_budget_usd: 100, rpm: 600 } }) } } } },
  responses: {
    201: jsonAnswer(keySchema.extend({ key: z.string() }).meta({ id: "CreatedKey" }), "The new key, with its secret `key`"),
    ...errorAnswers(400, 401, 403, 413, 429, 500),
  },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "Every key, with its spend and reservations per budget period",
  security: ADMIN,
  responses: { 200: jsonAnswer(z.strictObject({ data: z.array(keyWithSpendSchema) }), "The keys"), ...errorAnswers(401, 403, 429, 500) },
});

const updateKeyRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags,
  summary: "Changes a key's name, budgets or rate limit (null clears one)",
  security: ADMIN,
  request: { params: keyId, body: { required: true, content: { "application/json": { schema: keyChanges } } } },
  responses: { 200: jsonAnswer(keyWithSpendSchema, "The key as changed"), ...errorAnswers(400, 401, 403, 404, 413, 429, 500) },
});

const revokeKeyRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Revokes a key",
  security: ADMIN,
  request: { params: keyId },
  responses: { 200: jsonAnswer(keySchema, "The key, revoked"), ...errorAnswers(401, 403, 404, 429, 500) },
});

export const adminKeyRoutes = apiRoutes(
  [
    apiRoute(createKeyRoute, async (c) => {
      const body = c.req.valid("json");
      const { row, secret } = await createKey(c.get("db"), { dailyBudgetPico: null, monthlyBudgetPico: null, rpm: null, ...settingsOf(body), name: body.name });
      await openGate(c.env, row.id);
      return c.json({ ...keyJson(row), key: secret }, 201);
    }),
    apiRoute(listKeysRoute, async (c) => {
      const now = Date.now();
      const ctx = { env: c.env, db: c.get("db") };
      return c.json({ data: await Promise.all((await listKeys(c.get("db"))).map((k) => keyWithSpend(ctx, k, now))) }, 200);
    }),
    apiRoute(updateKeyRoute, async (c) => {
      const row = await updateKey(c.get("db"), c.req.valid("param").id, settingsOf(c.req.valid("json")));
      if (!row) throw new ApiError(404, "not_found", "no active key with that id");
      return c.json(await keyWithSpend({ env: c.env, db: c.get("db") }, row, Date.now()), 200);
    }),
    apiRoute(revokeKeyRoute, async (c) => {
      const row = await revokeKey(c.get("db"), c.req.valid("param").id);
      if (!row) throw new ApiError(404, "not_found", "no key with that id");
      return c.json(keyJson(row), 200);
    }),
  ],
  requireAdmin,
);
