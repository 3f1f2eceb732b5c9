/**
 * The spend path at scale (`npm run bench`), timed inside the Worker on local D1. It seeds
 * ledger and rollup rows in bulk with INSERT … SELECT over recursive CTEs (a handful of bound
 * parameters each: D1 allows 100 per statement; the ledger's and the rollup's triggers fire on
 * each row as on the gateway's writes), and runs the real code on them: the ledger writer, the
 * day's check (rollDay), and the spend query. Each endpoint answers `{ms, ...}`.
 */
import { sql } from "drizzle-orm";
import { dbFor, type Db } from "../../../workers/db/client";
import { ledger } from "../../../workers/db/schema";
import { writeLedgerRows } from "../../../workers/metering/ledger";
import { rollDay } from "../../../workers/spend/rollup";
import { type Group, querySpend } from "../../../workers/spend/spend";
import { ledgerRow } from "./ledger-row";
import { spendApi } from "./spend-api";

interface Env {
  DB: D1Database;
}

/** Rows per INSERT … SELECT statement when seeding. */
const SEED_CHUNK = 50_000;

const json = (data: unknown, status = 200) => Response.json(data, { status });

/**
 * The ledger writer as the gateway calls it (`writeLedgerRows(db, rows)`, one request's rows per
 * call), `concurrency` calls in flight; `perCall` rows per call (1 is the common case; 5 is the
 * most one 17-column INSERT may carry under D1's 100 bound parameters). `batch` instead sends
 * `perCall` single-row INSERTs in one D1 batch (what a Queue consumer would do).
 */
async function ledgerWrite(db: Db, body: { rows: number; concurrency: number; perCall: number; batch?: boolean; keys?: number }) {
  const now = Date.now();
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < body.rows) {
      const first = next;
      next += body.perCall;
      const rows = Array.from({ length: Math.min(body.perCall, body.rows - first) }, (_, k) => ledgerRow(first + k, now, body.keys ?? 100));
      if (body.batch) {
        const [head, ...rest] = rows.map((r) => db.insert(ledger).values(r).onConflictDoNothing({ target: [ledger.requestId, ledger.attempt] }));
        await db.batch([head!, ...rest]);
      } else await writeLedgerRows(db, rows);
    }
  };
  await Promise.all(Array.from({ length: body.concurrency }, worker));
  return { ms: Date.now() - started };
}

/**
 * `rows` ledger rows spread over one UTC day, 7 endpoints, 10% on mini, 2% failed, the key
 * i % keys (100 unless said), in chunks. With `attribution`, call i is for end user
 * i % users with tags feature=f<i % values> and team=t<i % 10>, written as the gateway writes them
 * (canonical JSON, names sorted); with `keys` dividing `values` a feature belongs to one key.
 */
async function seedLedger(env: Env, body: { day: string; rows: number; part?: [number, number]; keys?: number; attribution?: { users: number; values: number } }) {
  const dayStart = Date.parse(`${body.day}T00:00:00Z`);
  const dayNumber = Math.floor(dayStart / 86_400_000);
  const keys = body.keys ?? 100;
  const tagged = body.attribution !== undefined;
  const started = Date.now();
  let sizeAfter = 0;
  // `part`: only calls [first, end) of the day's `rows`, so that a large day is seeded over several requests.
  const [first, end] = body.part ?? [0, body.rows];
  for (let from = first; from < end; from += SEED_CHUNK) {
    const to = Math.min(end, from + SEED_CHUNK) - 1;
    const r = await env.DB.prepare(
      `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, error,
         input_tokens, cached_tokens, output_tokens, reasoning_tokens, cost_pico, mini_cost_pico, latency_ms${tagged ? ", tags, end_user" : ""})
       WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2),
       g AS (SELECT i, 168 + i % 200 AS input, CASE WHEN i % 4 = 0 THEN 128 ELSE 0 END AS cached, 60 + i % 150 AS output,
                    CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END AS mini FROM n)
       SELECT printf('req_%08x%016x', ?3, i), 1, ?4 + (i * 86399999) / ?5, printf('key_%016x', i % ?6),
         CASE i % 7 WHEN 0 THEN 'intent' WHEN 1 THEN 'route' WHEN 2 THEN 'extract' WHEN 3 THEN 'tool'
                    WHEN 4 THEN 'rerank' WHEN 5 THEN 'summarize' ELSE 'chat.completions' END,
         CASE WHEN mini = 1 THEN 'gpt-5.4-mini' ELSE 'gpt-5.4-nano' END, 'api.openai.com',
         CASE WHEN i % 50 = 0 THEN 502 ELSE 200 END,
         CASE WHEN i % 50 = 0 THEN 'upstream_error: the upstream failed with status 503' ELSE NULL END,
         input, cached, output, 64,
         CASE WHEN i % 50 = 0 THEN 0 WHEN mini = 1 THEN (input - cached) * 750000 + cached * 75000 + output * 4500000
              ELSE (input - cached) * 200000 + cached * 20000 + output * 1250000 END,
         CASE WHEN i % 50 = 0 THEN 0 ELSE (input - cached) * 750000 + cached * 75000 + output * 4500000 END,
         300 + i % 500
         ${tagged ? `, printf('{"feature":"f%04d","team":"t%d"}', i % ?7, i % 10), printf('user_%07d', i % ?8)` : ""}
       FROM g`,
    )
      .bind(from, to, dayNumber, dayStart, body.rows, keys, ...(tagged ? [body.attribution!.values, body.attribution!.users] : []))
      .run();
    sizeAfter = r.meta.size_after ?? 0;
  }
  return { ms: Date.now() - started, size_after: sizeAfter };
}

/**
 * Rollup rows for `days` complete days from `from`: days × groups × keys rows, where the groups are
 * the endpoints × 2 models × 2 tiers (`groups` of them, 28 for 7 endpoints), and the levels the
 * rollup's own triggers keep beside it: rollup_all over keys, rollup_all_tiers over tiers (0016, 0017).
 */
async function seedRollup(env: Env, body: { from: string; days: number; groups: number; keys: number }) {
  const started = Date.now();
  const perChunk = Math.max(1, Math.floor(SEED_CHUNK / (body.groups * body.keys)));
  let sizeAfter = 0;
  for (let d = 0; d < body.days; d += perChunk) {
    const last = Math.min(body.days, d + perChunk) - 1;
    const r = await env.DB.prepare(
      `INSERT INTO rollup (day, key_id, endpoint, model, service_tier, requests, errors, input_tokens, cached_tokens,
         output_tokens, reasoning_tokens, cost_pico, mini_cost_pico)
       WITH RECURSIVE d(j) AS (SELECT ?1 UNION ALL SELECT j + 1 FROM d WHERE j < ?2),
       e(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM e WHERE k < ?4 - 1),
       u(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM u WHERE m < ?5 - 1)
       SELECT date(?3, '+' || j || ' days'), printf('key_%016x', m), printf('endpoint_%02d', k % 7),
         CASE (k / 7) % 2 WHEN 0 THEN 'gpt-5.4-nano' ELSE 'gpt-5.4-mini' END, CASE (k / 14) % 2 WHEN 0 THEN 'default' ELSE 'flex' END,
         100 + (j + k + m) % 50, (j + k + m) % 3, 20000 + m, 5000, 9000 + k, 6400,
         (20000 + m - 5000) * 200000 + 5000 * 20000 + (9000 + k) * 1250000, (20000 + m - 5000) * 750000 + 5000 * 75000 + (9000 + k) * 4500000
       FROM d, e, u`,
    )
      .bind(d, last, body.from, body.groups, body.keys)
      .run();
    sizeAfter = r.meta.size_after ?? 0;
  }
  // Every seeded day was rolled an hour after it ended: complete, so spend reads it from `rollup`.
  await env.DB.prepare(
    `INSERT INTO rollup_days (day, rolled_at)
     WITH RECURSIVE d(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM d WHERE j < ?2 - 1)
     SELECT date(?1, '+' || j || ' days'), (unixepoch(date(?1, '+' || j || ' days')) + 90000) * 1000 FROM d WHERE true
     ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at`,
  )
    .bind(body.from, body.days)
    .run();
  return { ms: Date.now() - started, size_after: sizeAfter };
}

/** Page counts per table and index (SQLite's dbstat), when this D1 allows it; else the file size only. */
async function storage(env: Env) {
  const size = (await env.DB.prepare("SELECT count(*) AS n FROM ledger").run()).meta.size_after ?? null;
  const counts = await env.DB.prepare("SELECT (SELECT count(*) FROM ledger) AS ledger, (SELECT count(*) FROM rollup) AS rollup, (SELECT count(*) FROM key_spend) AS key_spend").first();
  let objects: Record<string, unknown>[] | null = null;
  let dbstatError: string | null = null;
  try {
    objects = (await env.DB.prepare("SELECT name, count(*) AS pages, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name ORDER BY bytes DESC").all()).results;
  } catch (err) {
    dbstatError = err instanceof Error ? err.message : String(err);
  }
  return { size_after: size, counts, objects, dbstat_error: dbstatError };
}

const api = spendApi();

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/") return new Response("ok");
    const db = dbFor(env.DB);
    const body = request.method === "POST" ? ((await request.json()) as Record<string, unknown>) : {};
    try {
      switch (url.pathname) {
        case "/ledger-write":
          return json(await ledgerWrite(db, body as Parameters<typeof ledgerWrite>[1]));
        case "/seed-ledger":
          return json(await seedLedger(env, body as Parameters<typeof seedLedger>[1]));
        case "/seed-rollup":
          return json(await seedRollup(env, body as Parameters<typeof seedRollup>[1]));
        case "/rollup": {
          const started = Date.now();
          // Retention far back: the seeded days are in the past and must be rolled, not refused.
          const rolled = await rollDay(db, String(body.day), Date.now(), 36_500);
          return json({ ms: Date.now() - started, groups: rolled.groups, requests: rolled.totals.requests, chunks: rolled.chunks, repaired: rolled.repaired });
        }
        case "/spend": {
          const started = Date.now();
          const { rows, totals } = await querySpend(db, {
            from: String(body.from),
            to: String(body.to),
            groupBy: (body.groupBy as Group[]) ?? [],
            keyId: body.keyId === undefined ? undefined : String(body.keyId),
          });
          return json({ ms: Date.now() - started, rows: rows.length, requests: totals.requests });
        }
        case "/api": {
          // A GET of the real spend routes (GET, so that the dev proxy retries it if the local
          // runtime restarts), timed around the whole answer, JSON or CSV included.
          const started = Date.now();
          const res = await api.request(String(url.searchParams.get("path")), {}, env);
          const text = await res.text();
          return json({ ms: Date.now() - started, status: res.status, bytes: text.length, body: res.ok ? JSON.parse(text) : text });
        }
        case "/storage":
          return json(await storage(env));
        case "/vacuum":
          await env.DB.exec("VACUUM");
          return json({ ok: true });
        case "/count":
          return json(await db.select({ n: sql<number>`count(*)` }).from(ledger));
      }
      return json({ error: "no such path" }, 404);
    } catch (err) {
      return json({ error: err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ""}` : String(err) }, 500);
    }
  },
} satisfies ExportedHandler<Env>;
