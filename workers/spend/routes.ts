import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Caller } from "../env";
import { ApiError, badRequest } from "../errors";
import { validate } from "../http/body";
import { loadPrices } from "../metering/prices";
import { queryCache } from "./cache";
import { attributionParams, groupColumn, spendGroups } from "./attribution-params";
import { spendCsv } from "./csv";
import { addDays, daySchema, dayOf } from "./days";
import { metricsJson } from "./spend-json";
import { projection } from "./projection";
import { listLedger, requestsQuery } from "./requests";
import { topUsers, userJson, usersCsv } from "./users";
export { adminRollupRoutes } from "./admin";
import { type Group, querySpend, type SpendRow } from "./spend";

/** A key reads only its own rows; the admin reads all, or one key's with `key_id`. */
export function scopeKeyId(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.kind === "admin") return requested;
  if (requested !== undefined && requested !== caller.key.id) {
    throw new ApiError(403, "forbidden", "a key can read only its own spend", { field: "key_id" });
  }
  return caller.key.id;
}

const DEFAULT_DAYS = 30;

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
  ...attributionParams,
  format: z.enum(["json", "csv"]).default("json"),
});

const usersQuery = rangeQuery.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(20),
  format: z.enum(["json", "csv"]).default("json"),
});

const rowJson = (row: SpendRow, groupBy: Group[], tagName: string | undefined) => ({
  ...Object.fromEntries(groupBy.map((g) => [groupColumn(g, tagName), row[g] ?? null])),
  ...metricsJson(row),
});

/** Filters given once: a second `tag` or `user` would need a joint spend the rollups do not keep. */
function once(c: Context<AppEnv>, ...names: string[]) {
  for (const name of names) {
    if ((c.req.queries(name)?.length ?? 0) > 1) throw badRequest(`${name}: give it once; several ${name} filters would need their joint spend`, name);
  }
}

export const spendRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    once(c, "tag", "user");
    const q = validate(spendQuery, c.req.query());
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
    return c.json({
      from,
      to,
      group_by: groupBy.map((g) => (g === "tag" ? `tag:${tagName}` : g)),
      rows: rows.map((row) => rowJson(row, groupBy, tagName)),
      totals: metricsJson(totals),
      projection: runRate,
    });
  })
  .get("/cache", async (c) => {
    const q = validate(rangeQuery, c.req.query());
    const { from, to } = range(q, dayOf(Date.now()));
    const keyId = scopeKeyId(c.get("caller"), q.key_id);
    return c.json({ from, to, ...(await queryCache(c.get("db"), { from, to, keyId }, await loadPrices(c.get("db")))) });
  })
  .get("/users", async (c) => {
    const q = validate(usersQuery, c.req.query());
    const { from, to } = range(q, dayOf(Date.now()));
    const users = await topUsers(c.get("db"), { from, to, keyId: scopeKeyId(c.get("caller"), q.key_id), limit: q.limit });
    if (q.format === "csv") {
      return c.body(usersCsv(users), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="users-${from}-${to}.csv"`,
      });
    }
    return c.json({ from, to, rows: users.map(userJson) });
  })
  .get("/requests", async (c) => {
    const q = validate(requestsQuery, c.req.query());
    return c.json(await listLedger(c.get("db"), q, scopeKeyId(c.get("caller"), q.key_id)));
  });
