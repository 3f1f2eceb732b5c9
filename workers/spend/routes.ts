import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Caller } from "../env";
import { ApiError, badRequest } from "../errors";
import { validate } from "../http/body";
import { loadPrices } from "../metering/prices";
import { queryCache } from "./cache";
import { groupColumn, spendCsv } from "./csv";
import { addDays, daySchema, dayOf } from "./days";
import { metricsJson } from "./spend-json";
import { projection } from "./projection";
import { listLedger, requestsQuery } from "./requests";
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

const rowJson = (row: SpendRow, groupBy: Group[]) => ({
  ...Object.fromEntries(groupBy.map((g) => [groupColumn(g), row[g]])),
  ...metricsJson(row),
});

export const spendRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = validate(spendQuery, c.req.query());
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
    return c.json({
      from,
      to,
      group_by: q.group_by,
      rows: rows.map((row) => rowJson(row, q.group_by)),
      totals: metricsJson(totals),
      projection: await projection(c.get("db"), today, keyId),
    });
  })
  .get("/cache", async (c) => {
    const q = validate(rangeQuery, c.req.query());
    const { from, to } = range(q, dayOf(Date.now()));
    const keyId = scopeKeyId(c.get("caller"), q.key_id);
    return c.json({ from, to, ...(await queryCache(c.get("db"), { from, to, keyId }, await loadPrices(c.get("db")))) });
  })
  .get("/requests", async (c) => {
    const q = validate(requestsQuery, c.req.query());
    return c.json(await listLedger(c.get("db"), q, scopeKeyId(c.get("caller"), q.key_id)));
  });
