import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { badRequest } from "../errors";
import { requireAdmin } from "../keys/auth";
import { ADMIN, apiRoute, apiRoutes, errorAnswers, jsonAnswer } from "../openapi/define";
import { addDays, daySchema, dayOf } from "./days";
import { metricsJson, metricsSchema } from "./spend-json";
import { retentionDays, rollDay } from "./rollup";

const rollupRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["Spend"],
  summary: "Rolls a day up again (default yesterday), idempotently, and answers its totals",
  security: ADMIN,
  // No body at all is the default day; so is the example's, as a day past retention is refused.
  request: { body: { required: false, content: { "application/json": { schema: z.object({ day: daySchema.optional() }).meta({ example: {} }) } } } },
  responses: {
    200: jsonAnswer(
      z.strictObject({
        day: z.iso.date(),
        rolled_at: z.iso.datetime(),
        complete: z.boolean().meta({ description: "Whether the day had ended when it was rolled up (then spend reads it from the rollup)" }),
        groups: z.int().meta({ description: "Rollup rows written" }),
        totals: metricsSchema,
      }),
      "The day's totals as rolled up",
    ),
    ...errorAnswers(400, 401, 403, 413, 429, 500),
  },
});

/** POST /v1/admin/rollup `{day}` (default yesterday): re-rolls that day and answers its totals. */
export const adminRollupRoutes = apiRoutes(
  [
    apiRoute(rollupRoute, async (c) => {
      const body = c.req.valid("json");
      const now = Date.now();
      const today = dayOf(now);
      const day = body.day ?? addDays(today, -1);
      if (day > today) throw badRequest(`${day} has not begun yet`, "day");
      const rolled = await rollDay(c.get("db"), day, now, retentionDays(c.env));
      return c.json(
        { day: rolled.day, rolled_at: new Date(rolled.rolledAt).toISOString(), complete: rolled.complete, groups: rolled.groups, totals: metricsJson(rolled.totals) },
        200,
      );
    }),
  ],
  requireAdmin,
);
