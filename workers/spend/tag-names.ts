import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Db } from "../db/client";
import { usd, usdSchema } from "../metering/money";
import { apiRoute, jsonAnswer, KEY_OR_ADMIN } from "../openapi/define";
import { dayOf } from "./days";
import { tagNameSides } from "./dimension";
import { range, rangeQuery, scoped, scopeKeyId, spendErrors, tags } from "./read-scope";
import { liveSpansOf, liveSpend, rolledSpend, type SpendQuery } from "./spend";
import { mergedSpend } from "./spend-sql";

/**
 * The tag names the calls of from..to carry (of one key, or all), by name, each with its calls'
 * requests and cost: spend grouped by tag name, the rolled days from `rollup_tags`, the others
 * live from the ledger, as spend by one tag's values reads them.
 */
export async function tagNames(db: Db, q: Omit<SpendQuery, "groupBy" | "attribution">) {
  const spans = await liveSpansOf(db, q.from, q.to);
  // mergedSpend keeps each endpoint × model apart (the measured projection's strata), so they are read too.
  const read: SpendQuery = { ...q, groupBy: ["endpoint", "model", "tag"] };
  const { rolled, live } = tagNameSides();
  const parts = [rolledSpend(db, read, rolled), ...(spans.length ? [liveSpend(db, read, spans, live)] : [])];
  const rows = await mergedSpend(db, parts, read.groupBy, ["tag"]);
  return rows.map((row) => ({ name: row.tag!, requests: row.requests, costPico: row.costPico })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

const tagNameSchema = z
  .strictObject({
    name: z.string(),
    requests: z.int().meta({ description: "Requests carrying this tag name, whatever its value" }),
    cost_usd: usdSchema,
  })
  .meta({ id: "TagName" });

const tagNamesRoute = createRoute({
  method: "get",
  path: "/tags",
  tags,
  summary: "The tag names the calls of from..to carry, by name, with their requests and cost",
  description: `${scoped}. A call counts under each tag name it carries; \`group_by=tag:<name>\` splits a name's spend by value`,
  security: KEY_OR_ADMIN,
  request: { query: rangeQuery },
  responses: { 200: jsonAnswer(z.strictObject({ data: z.array(tagNameSchema) }), "The tag names"), ...spendErrors },
});

/** GET /v1/spend/tags. */
export const tagNamesOperation = apiRoute(tagNamesRoute, async (c) => {
  const q = c.req.valid("query");
  const { from, to } = range(q, dayOf(Date.now()));
  const names = await tagNames(c.get("db"), { from, to, keyId: scopeKeyId(c.get("caller"), q.key_id) });
  return c.json({ data: names.map((t) => ({ name: t.name, requests: t.requests, cost_usd: usd(t.costPico) })) }, 200);
});
