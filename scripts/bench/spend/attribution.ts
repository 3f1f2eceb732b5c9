/**
 * Attribution at scale, for the bench Worker (worker.ts): a day of tagged calls with many end
 * users seeded into the ledger with INSERT … SELECT, and the real spend routes (workers/spend/routes.ts)
 * mounted behind an admin caller, so a timed GET is the gateway's own answer, JSON included.
 */
import { Hono } from "hono";
import { dbFor } from "../../../workers/db/client";
import type { AppEnv } from "../../../workers/env";
import { onError } from "../../../workers/errors";
import { spendRoutes } from "../../../workers/spend/routes";

const SEED_CHUNK = 50_000;

export interface AttributionDay {
  day: string;
  /** Ledger rows; call i is for end user i % users, with feature=f<i % values> and team=t<i % 10>. */
  rows: number;
  users: number;
  values: number;
  keys: number;
}

/**
 * `rows` calls spread over the day, 7 endpoints, 10% on mini, 2% failed. The key is i % keys, so
 * with `keys` dividing `values` a feature belongs to one key (a product's feature is one key's).
 * Tags are written as the gateway writes them: canonical JSON, names sorted.
 */
export async function seedAttributionDay(env: { DB: D1Database }, body: AttributionDay) {
  const dayStart = Date.parse(`${body.day}T00:00:00Z`);
  const started = Date.now();
  for (let from = 0; from < body.rows; from += SEED_CHUNK) {
    const to = Math.min(body.rows, from + SEED_CHUNK) - 1;
    await env.DB.prepare(
      `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, error,
         input_tokens, cached_tokens, output_tokens, reasoning_tokens, cost_pico, mini_cost_pico, latency_ms, tags, end_user)
       WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2),
       g AS (SELECT i, 168 + i % 200 AS input, CASE WHEN i % 4 = 0 THEN 128 ELSE 0 END AS cached, 60 + i % 150 AS output,
                    CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END AS mini FROM n)
       SELECT printf('req_attr_%s_%08d', ?3, i), 1, ?4 + (i * 86399999) / ?5, printf('key_%016x', i % ?6),
         CASE i % 7 WHEN 0 THEN 'intent' WHEN 1 THEN 'route' WHEN 2 THEN 'extract' WHEN 3 THEN 'tool'
                    WHEN 4 THEN 'rerank' WHEN 5 THEN 'summarize' ELSE 'chat.completions' END,
         CASE WHEN mini = 1 THEN 'gpt-5.4-mini' ELSE 'gpt-5.4-nano' END, 'api.openai.com',
         CASE WHEN i % 50 = 0 THEN 502 ELSE 200 END,
         CASE WHEN i % 50 = 0 THEN 'upstream_error: the upstream failed with status 503' ELSE NULL END,
         input, cached, output, 64,
         CASE WHEN i % 50 = 0 THEN 0 WHEN mini = 1 THEN (input - cached) * 750000 + cached * 75000 + output * 4500000
              ELSE (input - cached) * 200000 + cached * 20000 + output * 1250000 END,
         CASE WHEN i % 50 = 0 THEN 0 ELSE (input - cached) * 750000 + cached * 75000 + output * 4500000 END,
         300 + i % 500,
         printf('{"feature":"f%04d","team":"t%d"}', i % ?7, i % 10),
         printf('user_%07d', i % ?8)
       FROM g`,
    )
      .bind(from, to, body.day, dayStart, body.rows, body.keys, body.values, body.users)
      .run();
  }
  return { ms: Date.now() - started };
}

/** GET /v1/spend/* as the gateway answers it, for the admin (authentication is not what is measured). */
export function spendApi() {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("db", dbFor(c.env.DB));
    c.set("caller", { kind: "admin" });
    await next();
  });
  app.route("/v1/spend", spendRoutes);
  app.onError(onError);
  return app;
}
