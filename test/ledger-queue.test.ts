import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NewLedgerRow } from "../workers/db/schema";
import worker from "../workers/index";
import type { LedgerMessage } from "../workers/metering/ledger";
import { dbFor } from "../workers/db/client";
import { writeLedgerRows } from "../workers/metering/ledger";
import { OUTBOX_MAX_ROWS, postRows } from "../workers/metering/ledger-outbox";
import { retryDelaySeconds } from "../workers/metering/ledger-queue";
import { gateOf } from "../workers/keys/budget";
import { flakyD1 } from "./support/flaky-d1";
import { call, createKey, dispatch, json } from "./support/worker";

const QUEUE = { LEDGER_TRANSPORT: "queue" };

/** A key's ledger rows and cost, and what is kept from them: its budget counter and its rollup. */
async function ledgerOf(keyId: string) {
  const sums = await env.DB.prepare("SELECT count(*) AS n, coalesce(sum(cost_pico), 0) AS cost FROM ledger WHERE key_id = ?").bind(keyId).first<{ n: number; cost: number }>();
  const spend = await env.DB.prepare("SELECT coalesce(sum(cost_pico), 0) AS cost FROM key_spend WHERE key_id = ?").bind(keyId).first<{ cost: number }>();
  const rolled = await env.DB.prepare("SELECT coalesce(sum(requests), 0) AS requests, coalesce(sum(cost_pico), 0) AS cost FROM rollup WHERE key_id = ?")
    .bind(keyId)
    .first<{ requests: number; cost: number }>();
  return { rows: sums!.n, cost: sums!.cost, keySpend: spend!.cost, rolled };
}

let serial = 0;
/** One request's row, as the gateway would queue it. */
function rowOf(keyId: string, costPico: number): NewLedgerRow {
  return {
    requestId: `req_queue_${++serial}_${crypto.randomUUID()}`,
    attempt: 1,
    time: Date.now(),
    keyId,
    endpoint: "summarize",
    model: "gpt-5.4-nano",
    upstream: "simulator",
    status: 200,
    error: null,
    inputTokens: 1000,
    cachedTokens: 0,
    outputTokens: 100,
    reasoningTokens: 0,
    costPico,
    miniCostPico: costPico * 4,
    latencyMs: 3,
  };
}

/** Delivers messages to the consumer as the queue would (`attempts` as the queue counts them), with `db` as its D1. */
async function deliver(messages: { id: string; rows: NewLedgerRow[]; attempts?: number; uncounted?: string[] }[], db: D1Database = env.DB) {
  const batch = createMessageBatch<LedgerMessage>(
    "nanometer-ledger",
    messages.map((m) => ({ id: m.id, timestamp: Date.now(), attempts: m.attempts ?? 1, body: { rows: m.rows, uncounted: m.uncounted } })),
  );
  await worker.queue!(batch, { ...env, DB: db });
  return getQueueResult(batch, createExecutionContext());
}

const untilRows = async (keyId: string, n: number) => {
  const deadline = Date.now() + 15_000;
  while ((await ledgerOf(keyId)).rows < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
};

describe("the ledger queue: rows reach D1 through a queue", () => {
  it("a call's rows reach the ledger through the real local queue and its consumer", async () => {
    const { key, id } = await createKey();
    const answer = await json(await call("/v1/intent", { token: key, body: { text: "through the queue" }, env: QUEUE }));
    await untilRows(id, 1);
    const cost = Math.round(answer.cost.usd * 1e12);
    expect(await ledgerOf(id)).toEqual({ rows: 1, cost, keySpend: cost, rolled: { requests: 1, cost } });
  });

  it("a batch delivered twice writes and counts each row once, and is acknowledged both times", async () => {
    const { id } = await createKey();
    const messages = [1, 2, 3].map((i) => ({ id: `m${i}`, rows: [rowOf(id, 1000 * i)] }));
    const first = await deliver(messages);
    const again = await deliver(messages.map((m) => ({ ...m, attempts: 2 })));
    for (const result of [first, again]) expect(result).toMatchObject({ outcome: "ok", ackAll: true, retryMessages: [] });
    expect(await ledgerOf(id)).toEqual({ rows: 3, cost: 6000, keySpend: 6000, rolled: { requests: 3, cost: 6000 } });
  });

  it("acknowledges only what it wrote: one bad message is retried, the others are written once", async () => {
    const { id } = await createKey();
    const good = [1, 2].map((i) => ({ id: `g${i}`, rows: [rowOf(id, 10 * i)] }));
    const bad = { id: "bad", rows: [{ ...rowOf(id, 5), endpoint: null } as unknown as NewLedgerRow] };
    const result = await deliver([good[0]!, bad, good[1]!]);
    expect(result.ackAll).toBe(false);
    expect(result.explicitAcks.sort()).toEqual(["g1", "g2"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["bad"]);
    // Delivered again with the good ones (after a partial failure): still once each.
    await deliver([...good, bad].map((m) => ({ ...m, attempts: 2 })));
    expect(await ledgerOf(id)).toEqual({ rows: 2, cost: 30, keySpend: 30, rolled: { requests: 2, cost: 30 } });
  });

  it("D1 down for 30 seconds in the middle of a minute's load: every message waits in the queue, none is lost, none counts twice", async () => {
    const { id } = await createKey();
    // The queue's clock, in seconds: one message a second for a minute, D1 failing from second 20 to 50.
    let clock = 0;
    const d1 = flakyD1(env.DB, 0, () => clock >= 20 && clock < 50);
    type Due = { id: string; rows: NewLedgerRow[]; attempts: number };
    const due = new Map<number, Due[]>(Array.from({ length: 60 }, (_, s) => [s, [{ id: `s${s}`, rows: [rowOf(id, 100 + s)], attempts: 1 }]]));
    const all = [...due.values()].flat().flatMap((m) => m.rows);
    for (; due.size > 0; clock++) {
      const batch = due.get(clock);
      if (!batch) continue;
      due.delete(clock);
      // What the consumer asks to retry comes back after its backoff (the test harness does not
      // report the delay asked for; retryDelaySeconds is the consumer's), one attempt more.
      for (const { msgId } of (await deliver(batch, d1)).retryMessages) {
        const message = batch.find((m) => m.id === msgId)!;
        expect(message.attempts).toBeLessThan(10); // never as far as the dead-letter queue
        const at = clock + retryDelaySeconds(message.attempts);
        due.set(at, [...(due.get(at) ?? []), { ...message, attempts: message.attempts + 1 }]);
      }
    }
    const total = all.reduce((s, r) => s + r.costPico, 0);
    expect(await ledgerOf(id)).toEqual({ rows: 60, cost: total, keySpend: total, rolled: { requests: 60, cost: total } });
    expect(d1.failed()).toBeGreaterThanOrEqual(30);
  });

  it("retries back off: 2, 4, 8 ... seconds, five minutes at most (ten tries wait out about 18 minutes)", () => {
    expect([1, 2, 3, 8, 9, 10].map(retryDelaySeconds)).toEqual([2, 4, 8, 256, 300, 300]);
    expect(Array.from({ length: 10 }, (_, i) => retryDelaySeconds(i + 1)).reduce((a, b) => a + b, 0)).toBe(1110);
  });
});

describe("the ledger queue: the key's gate counts a call without a reservation when its row lands", () => {
  it("once per row however often delivered; a row whose call settled its own reservation is not counted again", async () => {
    const { id } = await createKey();
    const gate = gateOf(env, id);
    const before = (await gate.snapshot(id)).daySpent;
    const [uncounted, settled] = [rowOf(id, 7_000), rowOf(id, 11_000)];
    const message = { id: "m-gate", rows: [uncounted, settled], uncounted: [uncounted.requestId] };
    await deliver([message]);
    await deliver([message]);
    expect((await ledgerOf(id)).cost).toBe(18_000);
    expect((await gate.snapshot(id)).daySpent - before).toBe(7_000n);
  });

  it("calls of a key without a budget, through the queue: the gate's day spend equals the ledger's", async () => {
    const { id, key } = await createKey();
    for (let i = 0; i < 3; i++) expect((await call("/v1/summarize", { token: key, body: { text: `gate ${i}` }, env: QUEUE })).status).toBe(200);
    await untilRows(id, 3);
    const { cost } = await ledgerOf(id);
    expect(cost).toBeGreaterThan(0);
    // The consumer adds them to the gate right after it writes them.
    await expect.poll(async () => (await gateOf(env, id).snapshot(id)).daySpent, { timeout: 10_000 }).toBe(BigInt(cost));
  });
});

describe("the ledger queue: on and off give the same spend", () => {
  it("the same calls by two keys, one direct and one through the queue, answer the same spend", async () => {
    const [direct, queued] = [await createKey(), await createKey()];
    const bodies = ["refund my order", "where is parcel 7?", "cancel please", "thanks a lot!"].map((text) => ({ text, labels: ["billing", "shipping", "other"] }));
    for (const body of bodies) {
      expect((await call("/v1/intent", { token: direct.key, body })).status).toBe(200);
      expect((await call("/v1/intent", { token: queued.key, body, env: QUEUE })).status).toBe(200);
    }
    await untilRows(queued.id, bodies.length);
    const spend = async (key: string) => {
      const { rows, totals } = await json(await call("/v1/spend?group_by=day,endpoint,model,tier", { token: key }));
      return { rows, totals };
    };
    expect(await spend(queued.key)).toEqual(await spend(direct.key));
  });
});

/** The local queue, with what is sent through it written down; `refuse`: every send fails, as a queue that is down. */
function sentThrough(refuse = false) {
  const messages: LedgerMessage[] = [];
  const queue = {
    send: async (message: LedgerMessage) => {
      messages.push(message);
      if (refuse) throw new Error("queue unavailable");
      await env.LEDGER_QUEUE!.send(message);
    },
  } as unknown as Queue<LedgerMessage>;
  return { messages, queue, env: { ...QUEUE, LEDGER_QUEUE: queue } };
}

describe("the ledger queue: calls that end together share a message", () => {
  /** Rows posted one call at a time, as `n` calls ending together post them, then each call's background work awaited. */
  async function posted(n: number, keyId: string, queue: Queue<LedgerMessage>) {
    const ctxs = Array.from({ length: n }, () => createExecutionContext());
    const rows = ctxs.map((ctx, i) => {
      const row = rowOf(keyId, 100 + i);
      postRows(ctx, queue, [row], true, (rows) => writeLedgerRows(dbFor(env.DB), rows));
      return row;
    });
    await Promise.all(ctxs.map((ctx) => waitOnExecutionContext(ctx)));
    return rows.reduce((sum, r) => sum + r.costPico, 0);
  }

  it("the rows of calls that end within the outbox's window go as one message, and each lands once", async () => {
    const { id } = await createKey();
    const queue = sentThrough();
    const cost = await posted(5, id, queue.queue);
    expect(queue.messages.map((m) => m.rows.length)).toEqual([5]);
    await untilRows(id, 5);
    expect(await ledgerOf(id)).toEqual({ rows: 5, cost, keySpend: cost, rolled: { requests: 5, cost } });
  });

  it("a full outbox is sent at once, and the next call opens another", async () => {
    const { id } = await createKey();
    const queue = sentThrough();
    const n = OUTBOX_MAX_ROWS * 2 + 3;
    const cost = await posted(n, id, queue.queue);
    expect(queue.messages.map((m) => m.rows.length)).toEqual([OUTBOX_MAX_ROWS, OUTBOX_MAX_ROWS, 3]);
    await untilRows(id, n);
    expect(await ledgerOf(id)).toEqual({ rows: n, cost, keySpend: cost, rolled: { requests: n, cost } });
  });

  it("when the queue refuses a message, its rows, every call's, are written to D1 directly", async () => {
    const { id } = await createKey();
    const queue = sentThrough(true);
    const cost = await posted(4, id, queue.queue);
    expect(queue.messages.map((m) => m.rows.length)).toEqual([4]);
    expect(await ledgerOf(id)).toEqual({ rows: 4, cost, keySpend: cost, rolled: { requests: 4, cost } });
  });

  it("calls made at once through the gateway each land once, whatever messages they shared", async () => {
    const { key, id } = await createKey();
    const queue = sentThrough();
    const calls = await Promise.all(Array.from({ length: 12 }, (_, i) => dispatch("/v1/intent", { token: key, body: { text: `at once ${i}` }, env: queue.env })));
    await Promise.all(calls.map((c) => c.settled()));
    const cost = (await Promise.all(calls.map((c) => json(c.response)))).reduce((sum, a) => sum + Math.round(a.cost.usd * 1e12), 0);
    expect(queue.messages.flatMap((m) => m.rows).length).toBe(12);
    await untilRows(id, 12);
    expect(await ledgerOf(id)).toEqual({ rows: 12, cost, keySpend: cost, rolled: { requests: 12, cost } });
  });
});
