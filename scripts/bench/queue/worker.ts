/**
 * The ledger queue's consumer at full tilt (`npm run bench -- --only consumer`), on a local
 * Cloudflare Queue and local D1: POST /send puts N messages of K rows each (one, or several as the
 * gateway's outbox sends them under load) on the queue as fast as the local queue takes them, and the queue handler is the gateway's own (consumeLedger), timed around each delivered
 * batch. Times are this isolate's Date.now(), which moves at each I/O (the D1 write, the sends).
 */
import type { LedgerMessage } from "../../../workers/metering/ledger";
import { consumeLedger } from "../../../workers/metering/ledger-queue";
import { ledgerRow } from "../spend/ledger-row";

interface Env {
  DB: D1Database;
  LEDGER_QUEUE: Queue<LedgerMessage>;
}

/** A delivered batch: its messages, when its write started, how long it took, and what was retried. */
export interface Delivered {
  messages: number;
  written: number;
  retried: number;
  started: number;
  ms: number;
}

/** The most messages one sendBatch takes. */
const SEND_BATCH = 100;
/**
 * How far the sender may run ahead of the consumer, in messages. The local queue (miniflare's
 * broker, a Durable Object) takes each message in through a timer, the timers pile up while sends
 * keep coming, and past 10 000 pending timers workerd refuses the send (QuotaExceededError);
 * 5 000 ahead still keeps 50 full batches waiting for the consumer.
 */
const MAX_AHEAD = 5_000;

/** The batches delivered since the last /send, and the messages they wrote. Local workerd runs fetch and queue in one isolate, so both see them. */
let delivered: Delivered[] = [];
let written = 0;
/** Row numbers go on across sends, so that each run's rows are new ones. */
let nextRow = 0;

/** `messages` messages of `rowsPerMessage` rows, SEND_BATCH per sendBatch, one call at a time, never more than MAX_AHEAD ahead of the consumer. */
async function send(env: Env, messages: number, rowsPerMessage: number) {
  [delivered, written] = [[], 0];
  const first = nextRow;
  nextRow += messages * rowsPerMessage;
  const started = Date.now();
  for (let sent = 0; sent < messages; sent += SEND_BATCH) {
    while (sent - written > MAX_AHEAD) await new Promise((r) => setTimeout(r, 10));
    const bodies = Array.from({ length: Math.min(SEND_BATCH, messages - sent) }, (_, k) => ({
      body: { rows: Array.from({ length: rowsPerMessage }, (_, r) => ledgerRow(first + (sent + k) * rowsPerMessage + r, started, 100)) },
    }));
    await env.LEDGER_QUEUE.sendBatch(bodies);
  }
  return { started, ms: Date.now() - started, max_ahead: MAX_AHEAD };
}

/** Migration 0016's triggers on ledger inserts (rollup_all's and rollup_all_tiers' follow rollup's changes, so they go quiet with them). */
const ROLLUP_TRIGGERS = ["ledger_rollup_own", "ledger_rollup_shadow"];
/** Their CREATE statements while they are dropped. */
let dropped: string[] = [];

/** Off: the ledger as before migration 0016, only key_spend kept by a trigger. On: as it was. */
async function rollupTriggers(env: Env, on: boolean) {
  if (on) {
    if (dropped.length) await env.DB.batch(dropped.map((sql) => env.DB.prepare(sql)));
    dropped = [];
    return;
  }
  const { results } = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)")
    .bind(...ROLLUP_TRIGGERS)
    .all<{ sql: string }>();
  if (results.length !== ROLLUP_TRIGGERS.length) throw new Error(`expected the triggers ${ROLLUP_TRIGGERS.join(", ")}, found ${results.length}`);
  await env.DB.batch(ROLLUP_TRIGGERS.map((t) => env.DB.prepare(`DROP TRIGGER ${t}`)));
  dropped = results.map((r) => r.sql);
}

/** The ledger's rows, and the requests the insert triggers counted into rollup and its levels (each must equal the rows). */
const counts = (env: Env) =>
  env.DB.prepare(
    "SELECT (SELECT count(*) FROM ledger) AS ledger, (SELECT sum(requests) FROM rollup) AS rollup, (SELECT sum(requests) FROM rollup_all) AS rollup_all, (SELECT sum(requests) FROM rollup_all_tiers) AS rollup_all_tiers",
  ).first<{ ledger: number; rollup: number | null; rollup_all: number | null; rollup_all_tiers: number | null }>();

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === "GET" && url.pathname === "/") return new Response("ok");
      if (request.method === "POST" && url.pathname === "/send") {
        const { messages, rows_per_message } = await request.json<{ messages: number; rows_per_message?: number }>();
        return Response.json(await send(env, messages, rows_per_message ?? 1));
      }
      if (url.pathname === "/progress") {
        const row = await env.DB.prepare("SELECT count(*) AS ledger FROM ledger").first<{ ledger: number }>();
        return Response.json({ ledger: row?.ledger ?? 0, written });
      }
      if (url.pathname === "/batches") return Response.json(delivered);
      if (url.pathname === "/counts") return Response.json(await counts(env));
      if (request.method === "POST" && url.pathname === "/rollup-triggers") {
        await rollupTriggers(env, (await request.json<{ on: boolean }>()).on);
        return Response.json({ ok: true });
      }
      return Response.json({ error: "no such path" }, { status: 404 });
    } catch (err) {
      return Response.json({ error: err instanceof Error ? err.message : String(err) }, { status: 500 });
    }
  },
  async queue(batch, env) {
    const started = Date.now();
    // Its messages name no uncounted request (they stand for calls that settled their own reservation), so no key gate is reached.
    const { written: inBatch, retried } = await consumeLedger(batch as MessageBatch<LedgerMessage>, env as Env & { KEY_GATE: never });
    delivered.push({ messages: batch.messages.length, written: inBatch, retried, started, ms: Date.now() - started });
    written += inBatch;
  },
} satisfies ExportedHandler<Env>;
