import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { apiRoute, KEY_OR_ADMIN } from "../openapi/define";
import { dayOf } from "./days";
import { csvAnswer, range, rangeQuery, scoped, scopeKeyId, spendErrors, tags } from "./read-scope";
import { topUsers, userJson, userSpendSchema, usersCsv } from "./users";

const usersQuery = rangeQuery.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(20),
  format: z.enum(["json", "csv"]).default("json"),
});

const usersRoute = createRoute({
  method: "get",
  path: "/users",
  tags,
  summary: "The end users who cost the most from..to, costliest first, exactly; as CSV with format=csv",
  description: `${scoped}. An end user is named by its key: the same name under two keys is two rows`,
  security: KEY_OR_ADMIN,
  request: { query: usersQuery },
  responses: {
    200: {
      description: "The top end users",
      content: {
        "application/json": { schema: z.strictObject({ from: z.iso.date(), to: z.iso.date(), rows: z.array(userSpendSchema) }) },
        ...csvAnswer,
      },
    },
    ...spendErrors,
  },
});

/** GET /v1/spend/users. */
export const usersOperation = apiRoute(usersRoute, async (c) => {
  const q = c.req.valid("query");
  const { from, to } = range(q, dayOf(Date.now()));
  const users = await topUsers(c.get("db"), { from, to, keyId: scopeKeyId(c.get("caller"), q.key_id), limit: q.limit });
  if (q.format === "csv") {
    return c.body(usersCsv(users), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="users-${from}-${to}.csv"`,
    });
  }
  return c.json({ from, to, rows: users.map(userJson) }, 200);
  });
