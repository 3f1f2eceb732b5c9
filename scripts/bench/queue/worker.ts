/**
 * The ledger queue's consumer at full tilt (`npm run bench -- --only consumer`), on a local
 * Cloudflare Queue and local D1: POST /send puts N one-row messages on the queue as fast as it
 * can, and the queue handler is the gateway's own (consumeLedger), timed around each delivered
 * batch. Times are this isolate's Date.now(), which moves at each I/O (the D1 write, the sends).
 */
import type { LedgerMessage } from "../../../workers/metering/ledger";
import { consumeLedger } from "../../../workers/metering/ledger-queue";
import { ledgerRow } from "../spend/ledger-row";

interface Env {
  DB: D1Database;
  LEDGER_QUEUE: Queue<LedgerMessage>;
}

/** A delivered batch: its messages (one row each), when its write started, how long it took, and what was retried. */
interface Delivered {
  messages: number;
  written: number;
  retried: number;
  started: number;
  ms: number;
}

/** The most messages one sendBatch takes. */
const SEND_BATCH = 100;

/** The batches delivered since the last /send. Local workerd runs fetch and queue in one isolate, so both see it. */
let delivered: Delivered[] = [];
/** Row numbers go on across sends, so that each run's rows are new ones. */
let nextRow = 0;

/** `messages` one-row messages, SEND_BATCH per sendBatch, `inFlight` sendBatch calls at a time. */
async function send(env: Env, body: { messages: number; inFlight: number }) {
  delivered = [];
  const [first, end] = [nextRow, nextRow + body.messages];
  nextRow = end;
  let next = first;
  const started = Date.now();
  const sender = async () => {
    while (next < end) {
      const from = next;
      next = Math.min(end, from + SEND_BATCH);
      const rows = Array.from({ length: next - from }, (_, k) => ledgerRow(from + k, started, 100));
      await env.LEDGER_QUEUE.sendBatch(rows.map((row) => ({ body: { rows: [row] } })));
    }
  };
  await Promise.all(Array.from({ length: body.inFlight }, sender));
  return { started, ms: Date.now() - started };
}

/** The ledger's rows, and the requests the insert triggers counted into rollup and rollup_all (each must equal the rows). */
const counts = (env: Env) =>
  env.DB.prepare("SELECT (SELECT count(*) FROM ledger) AS ledger, (SELECT sum(requests) FROM rollup) AS rollup, (SELECT sum(requests) FROM rollup_all) AS rollup_all").first<{
    ledger: number;
    rollup: number | null;
    rollup_all: number | null;
  }>();

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === "GET" && url.pathname === "/") return new Response("ok");
      if (request.method === "POST" && url.pathname === "/send") return Response.json(await send(env, await request.json()));
      if (url.pathname === "/progress") {
        const row = await env.DB.prepare("SELECT count(*) AS ledger FROM ledger").first<{ ledger: number }>();
        return Response.json({ ledger: row?.ledger ?? 0, written: delivered.reduce((n, b) => n + b.written, 0) });
      }
      if (url.pathname === "/batches") return Response.json(delivered);
      if (url.pathname === "/counts") return Response.json(await counts(env));
      if (request.method === "POST" && url.pathname === "/drop-rollup-triggers") {
        // The comparison: the ledger as before migration 0015, only key_spend kept by a trigger
        // (rollup_all's triggers fire on rollup's changes, so they go quiet too).
        await env.DB.batch(["ledger_rollup_own", "ledger_rollup_shadow"].map((t) => env.DB.prepare(`DROP TRIGGER ${t}`)));
        return Response.json({ ok: true });
      }
      return Response.json({ error: "no such path" }, { status: 404 });
    } catch (err) {
      return Response.json({ error: err instanceof Error ? err.message : String(err) }, { status: 500 });
    }
  },
  async queue(batch, env) {
    const started = Date.now();
    const { written, retried } = await consumeLedger(batch as MessageBatch<LedgerMessage>, env);
    delivered.push({ messages: batch.messages.length, written, retried, started, ms: Date.now() - started });
  },
} satisfies ExportedHandler<Env>;
