import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { loadPrices } from "../metering/prices";
import { apiRoute, apiRoutes, jsonAnswer, KEY_OR_ADMIN } from "../openapi/define";
import { attributionParams, groupColumn, groupNameSchema, spendGroups, TAG_COLUMN } from "./attribution-params";
import { cacheSchema, queryCache } from "./cache";
import { spendCsv } from "./csv";
import { dayOf } from "./days";
import { metricsJson, metricsSchema } from "./spend-json";
import { projection, projectionSchema } from "./projection";
import { checkOrder, csvAnswer, range, rangeQuery, scoped, scopeKeyId, spendErrors, tags } from "./read-scope";
import { ledgerRowSchema, listLedger, requestsQuery } from "./requests";
import { tagNamesOperation } from "./tag-names";
import { usersOperation } from "./users-route";
export { adminRollupRoutes } from "./admin";
import { type Group, querySpend, type SpendRow } from "./spend";

const spendQuery = rangeQuery.extend({
  ...attributionParams,
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
    end_user: z.string().nullable().optional().meta({ description: "The end user; null for the calls without one" }),
  })
  .meta({
    id: "SpendRow",
    // group_by=tag:<name> adds a column named `tag:<name>`, which no fixed property can name.
    patternProperties: { [TAG_COLUMN]: { type: ["string", "null"], description: "The tag's value; null for the calls without that tag" } },
  });

const rowJson = (row: SpendRow, groupBy: Group[], tagName: string | undefined): z.infer<typeof spendRowSchema> => ({
  ...Object.fromEntries(groupBy.map((g) => [groupColumn(g, tagName), row[g] ?? null])),
  ...metricsJson(row),
});

/** Filters given once: a second `tag` or `user` would need a joint spend the rollups do not keep. */
const once =
  (...names: string[]): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    for (const name of names) {
      if ((c.req.queries(name)?.length ?? 0) > 1) throw badRequest(`${name}: give it once; several ${name} filters would need their joint spend`, name);
    }
    await next();
  };

const spendRoute = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "Spend from..to, grouped, with totals and a monthly projection; as CSV with format=csv",
  description: `${scoped}. One attribution dimension a query: one tag name or the end user, grouped by or filtered on (each of \`tag\`, \`user\` once); the projection follows a filter`,
  security: KEY_OR_ADMIN,
  middleware: [once("tag", "user")],
  request: { query: spendQuery },
  responses: {
    200: {
      description: "The spend report",
      content: {
        "application/json": {
          schema: z.strictObject({
            from: z.iso.date(),
            to: z.iso.date(),
            group_by: z.array(groupNameSchema),
            rows: z.array(spendRowSchema),
            totals: metricsSchema,
            projection: projectionSchema,
          }),
        },
        ...csvAnswer,
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
    const { groupBy, attribution } = spendGroups(q);
    const tagName = attribution?.dimension.kind === "tag" ? attribution.dimension.name : undefined;
    const spend = querySpend(c.get("db"), { from, to, groupBy, keyId, attribution });
    if (q.format === "csv") {
      const { rows } = await spend;
      return c.body(spendCsv(groupBy, rows, tagName), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="spend-${from}-${to}.csv"`,
      });
    }
    // The run-rate of what the filter keeps (of everything when the query only groups), read meanwhile.
    const [{ rows, totals }, runRate] = await Promise.all([spend, projection(c.get("db"), today, keyId, attribution?.only === undefined ? undefined : attribution)]);
    return c.json(
      {
        from,
        to,
        group_by: groupBy.map((g) => (g === "tag" ? (`tag:${tagName}` as const) : g)),
        rows: rows.map((row) => rowJson(row, groupBy, tagName)),
        totals: metricsJson(totals),
        projection: runRate,
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
  usersOperation,
  tagNamesOperation,
  apiRoute(requestsRoute, async (c) => {
    const q = c.req.valid("query");
    checkOrder(q.from, q.to);
    return c.json(await listLedger(c.get("db"), q, scopeKeyId(c.get("caller"), q.key_id)), 200);
  }),
]);
