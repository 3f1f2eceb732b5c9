import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { readJson, validate } from "../http/body";
import { requireAdmin } from "../keys/auth";
import { addDays, daySchema, dayOf } from "./days";
import { metricsJson } from "./spend-json";
import { retentionDays, rollDay } from "./rollup";

const rollupBody = z.object({ day: daySchema.optional() });

/** POST /v1/admin/rollup `{day}` (default yesterday): re-rolls that day and answers its totals. */
export const adminRollupRoutes = new Hono<AppEnv>().use(requireAdmin).post("/", async (c) => {
  const empty = (await c.req.text()).trim() === "";
  const body = validate(rollupBody, empty ? {} : await readJson(c));
  const now = Date.now();
  const today = dayOf(now);
  const day = body.day ?? addDays(today, -1);
  if (day > today) throw badRequest(`${day} has not begun yet`, "day");
  const rolled = await rollDay(c.get("db"), day, now, retentionDays(c.env));
  return c.json({
    day: rolled.day,
    rolled_at: new Date(rolled.rolledAt).toISOString(),
    complete: rolled.complete,
    groups: rolled.groups,
    totals: metricsJson(rolled.totals),
  });
});
