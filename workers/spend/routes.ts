import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Caller } from "../env";
import { ApiError, badRequest } from "../errors";
import { loadPrices } from "../metering/prices";
import { apiRoute, apiRoutes, errorAnswers, jsonAnswer, KEY_OR_ADMIN } from "../openapi/define";
import { cacheSchema, queryCache } from "./cache";
import { groupColumn, spendCsv } from "./csv";
import { addDays, daySchema, dayOf } from "./days";
import { metricsJson, metricsSchema } from "./spend-json";
import { projection, projectionSchema } from "./projection";
import { ledgerRowSchema, listLedger, requestsQuery } from "./requests";
export { adminRollupRoutes } from "./admin";
import { GROUPS, type Group, querySpend, type SpendRow } from "./spend";

/** A key reads only its own rows; the admin reads all, or one key's with `key_id`. */
export function scopeKeyId(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.kind === "admin") return requested;
  if (requested !== undefined && requested !== caller.key.id) {
    throw new ApiError(403, "forbidden", "a key can read only its own spend", { field: "key_id" });
  }
  return caller.key.id;
}

const DEFAULT_DAYS = 30;
const isGroup = (g: string): g is Group => (GROUPS as readonly string[]).includes(g);

const rangeQuery = z.object({
  from: daySchema.optional(),
  to: daySchema.optional(),
  key_id: z.string().max(100).optional(),
});

/** from..to: `to` defaults to today, `from` to the 30 days ending at `to`. */
function range(q: z.infer<typeof rangeQuery>, today: string): { from: string; to: string } {
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, 1 - DEFAULT_DAYS);
  if (from > to) throw badRequest(`from (${from}) is after to (${to})`, "from");
  return { from, to };
}

const spendQuery = rangeQuery.extend({
  group_by: z
    .string()
    .default("day")
    .transform((s) => s.split(",").map((g) => g.trim()))
    .refine((gs) => gs.every(isGroup), `use any of ${GROUPS.join(", ")}, comma-separated`)
    .transform((gs) => GROUPS.filter((g) => gs.includes(g))),
  format: z.enum(["json", "csv"]).default("json"),
});

/** A row: its group's columns (those of group_by), then its sums. */
const spendRowSchema = metricsSchema
  .extend({
    day: z.iso.date().optional(),
    endpoint: z.string().optional(),
    model: z.string().optional(),
    service_tier: z.string().optional(),
    key_id: z.string().optional(),
  })
  .meta({ id: "SpendRow" });

const rowJson = (row: SpendRow, groupBy: Group[]): z.infer<typeof spendRowSchema> => ({
  ...Object.fromEntries(groupBy.map((g) => [groupColumn(g), row[g]])),
  ...metricsJson(row),
});

const tags = ["Spend"];
const scoped = "A key reads its own; the admin token everyone's, or one key's with `key_id`";
const spendErrors = errorAnswers(400, 401, 403, 429, 500);

const spendRoute = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "Spend from..to, grouped, with totals and a monthly projection; as CSV with format=csv",
  description: scoped,
  security: KEY_OR_ADMIN,
  request: { query: spendQuery },
  responses: {
    200: {
      description: "The spend report",
      content: {
        "application/json": {
          schema: z.strictObject({
            from: z.iso.date(),
            to: z.iso.date(),
            group_by: z.array(z.enum(GROUPS)),
            rows: z.array(spendRowSchema),
            totals: metricsSchema,
            projection: projectionSchema,
          }),
        },
        "text/csv": { schema: z.string().meta({ description: "The rows, a header line first" }) },
      },
    },
    ...spendErrors,
  },
});

const cacheRoute = createRoute({
  method: "get",
  path: "/cache",
  tags,
  summary: "Prompt-cache efficiency per endpoint, and what caching the whole fixed prefix would have saved",
  description: scoped,
  security: KEY_OR_ADMIN,
  request: { query: rangeQuery },
  responses: {
    200: jsonAnswer(
      z.strictObject({ from: z.iso.date(), to: z.iso.date(), rows: z.array(cacheSchema.extend({ endpoint: z.string() })), totals: cacheSchema }),
      "Cache efficiency",
    ),
    ...spendErrors,
  },
});

const requestsRoute = createRoute({
  method: "get",
  path: "/requests",
  tags,
  summary: "The ledger, newest first: one row per billed upstream attempt",
  description: scoped,
  security: KEY_OR_ADMIN,
  request: { query: requestsQuery },
  responses: {
    200: jsonAnswer(z.strictObject({ data: z.array(ledgerRowSchema), next_cursor: z.string().nullable() }), "A page of ledger rows"),
    ...spendErrors,
  },
});

export const spendRoutes = apiRoutes([
  apiRoute(spendRoute, async (c) => {
    const q = c.req.valid("query");
    const today = dayOf(Date.now());
    const { from, to } = range(q, today);
    const keyId = scopeKeyId(c.get("caller"), q.key_id);
    const { rows, totals } = await querySpend(c.get("db"), { from, to, groupBy: q.group_by, keyId });
    if (q.format === "csv") {
      return c.body(spendCsv(q.group_by, rows), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="spend-${from}-${to}.csv"`,
      });
    }
    return c.json(
      {
        from,
        to,
        group_by: q.group_by,
        rows: rows.map((row) => rowJson(row, q.group_by)),
        totals: metricsJson(totals),
        projection: await projection(c.get("db"), today, keyId),
      },
      200,
    );
  }),
  apiRoute(cacheRoute, async (c) => {
    const q = c.req.valid("query");
    const { from, to } = range(q, dayOf(Date.now()));
    const keyId = scopeKeyId(c.get("caller"), q.key_id);
    return c.json({ from, to, ...(await queryCache(c.get("db"), { from, to, keyId }, await loadPrices(c.get("db")))) }, 200);
  }),
  apiRoute(requestsRoute, async (c) => {
    const q = c.req.valid("query");
    return c.json(await listLedger(c.get("db"), q, scopeKeyId(c.get("caller"), q.key_id)), 200);
  }),
]);
