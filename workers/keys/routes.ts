import { Hono } from "hono";
import { z } from "zod";
import type { ApiKey } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { readJson, validate } from "../http/body";
import { picoFromUsd, usdOrNull } from "../metering/money";
import { requireAdmin } from "./auth";
import { createKey, listKeys, revokeKey } from "./store";

const newKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  daily_budget_usd: z
    .number()
    .positive()
    .max(1e6)
    .refine((usd) => picoFromUsd(usd) !== null, "a budget has at most 6 decimals (a micro-dollar)")
    .nullable()
    .optional(),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
});

function keyJson(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    created: new Date(k.createdAt).toISOString(),
    revoked: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
    daily_budget_usd: usdOrNull(k.dailyBudgetPico),
    rpm: k.rpm,
  };
}

export const adminKeyRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .post("/", async (c) => {
    const body = validate(newKeyBody, await readJson(c));
    const { row, secret } = await createKey(c.get("db"), {
      name: body.name,
      dailyBudgetPico: body.daily_budget_usd == null ? null : Number(picoFromUsd(body.daily_budget_usd)),
      rpm: body.rpm ?? null,
    });
    return c.json({ ...keyJson(row), key: secret }, 201);
  })
  .get("/", async (c) => c.json({ data: (await listKeys(c.get("db"))).map(keyJson) }))
  .delete("/:id", async (c) => {
    const row = await revokeKey(c.get("db"), c.req.param("id"));
    if (!row) throw new ApiError(404, "not_found", "no key with that id");
    return c.json(keyJson(row));
  });
