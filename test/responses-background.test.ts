import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dbFor } from "../workers/db/client";
import { gateOf } from "../workers/keys/budget";
import { settleBackground } from "../workers/openai/responses/background";
import worker from "../workers/index";
import { POLL_CRON } from "../workers/poll";
import { expectBilled, nonce, responsesRows, upstreamStored } from "./support/responses";
import { call, createKey, dispatch, json } from "./support/worker";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const poll = () => worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: POLL_CRON }), env);

/** A background response that the simulator finishes `ms` after it is created. */
async function background(ms: number, key?: string, settings: Record<string, unknown> = {}) {
  const owner = key ? { key } : await createKey(settings);
  const started = Date.now();
  const res = await call("/v1/responses", { token: owner.key, body: { input: `[[sim:background_ms=${ms}]] ${nonce()}`, background: true } });
  const created = await json(res);
  return { key: owner.key, id: created.id as string, requestId: res.headers.get("x-request-id")!, created, started };
}

const ownerRecord = (id: string) => env.DB.prepare("SELECT * FROM owned_objects WHERE kind = 'response' AND id = ?").bind(id).first<Record<string, any>>();

describe("background responses are billed exactly once, when first seen finished", () => {
  it("no row while queued; the owner's GET that first sees it completed bills it; a second GET bills nothing more", async () => {
    const { key, id, requestId, created, started } = await background(300);
    expect(created).toMatchObject({ status: "queued", background: true });
    expect(created).not.toHaveProperty("usage");
    expect((await json(await call(`/v1/responses/${id}`, { token: key }))).status).toBe("queued");
    expect(await responsesRows(key)).toHaveLength(0);

    await sleep(400);
    const done = await json(await call(`/v1/responses/${id}`, { token: key }));
    expect(done.status).toBe("completed");
    const [row, ...rest] = await responsesRows(key);
    expect(rest).toHaveLength(0);
    // The row is the creating call's: its request id, attempt 1, its time; latency runs to when it was seen finished.
    expect(row).toMatchObject({ request_id: requestId, attempt: 1, status: 200, error: null });
    expect(Date.parse(row!.time)).toBeGreaterThanOrEqual(started);
    expect(Date.parse(row!.time)).toBeLessThan(started + 300);
    expect(row!.latency_ms).toBeGreaterThanOrEqual(300);
    expectBilled(row, done.usage);

    expect((await call(`/v1/responses/${id}`, { token: key })).status).toBe(200);
    expect(await responsesRows(key)).toHaveLength(1);
    expect((await ownerRecord(id))!.settled_at).not.toBeNull();
  });

  it("the cron's poller bills a finished one and stops polling it; the owner's later GET bills nothing more", async () => {
    const { key, id } = await background(50);
    await sleep(100);
    await poll();
    const [row] = await responsesRows(key);
    expectBilled(row, (await upstreamStored(id)).usage);
    expect((await ownerRecord(id))!.settled_at).not.toBeNull();
    await poll();
    await call(`/v1/responses/${id}`, { token: key });
    expect(await responsesRows(key)).toHaveLength(1);
  });

  it("the poller leaves one still running open, and bills it on a later poll", async () => {
    const { key, id } = await background(400);
    await poll();
    expect(await responsesRows(key)).toHaveLength(0);
    expect((await ownerRecord(id))!.settled_at).toBeNull();
    await sleep(450);
    await poll();
    expectBilled((await responsesRows(key))[0], (await upstreamStored(id)).usage);
  });

  it("a GET and a poll at the same moment bill it once", async () => {
    const { key, id } = await background(50);
    await sleep(100);
    const get = dispatch(`/v1/responses/${id}`, { token: key }).then(async ({ response, settled }) => {
      await response.text();
      await settled();
    });
    await Promise.all([get, poll()]);
    const rows = await responsesRows(key);
    expect(rows).toHaveLength(1);
    expectBilled(rows[0], (await upstreamStored(id)).usage);
  });

  it("two settlements racing write one row (the ledger's (request_id, attempt) is the guard), and count once against a budget", async () => {
    const { key, id } = await background(0, undefined, { daily_budget_usd: 10 });
    const owned = await ownerRecord(id);
    const finished = await upstreamStored(id);
    const open = { kind: "response", id, keyId: owned!.key_id, requestId: owned!.request_id, createdAt: owned!.created_at, settledAt: null, meta: owned!.meta, polledAt: null };
    await Promise.all([1, 2, 3].map(() => settleBackground(env, dbFor(env.DB), open, finished, "simulator")));
    const rows = await responsesRows(key);
    expect(rows).toHaveLength(1);
    expectBilled(rows[0], finished.usage);
    const spend = await json(await call("/v1/spend?group_by=endpoint", { token: key }));
    expect(spend.totals).toMatchObject({ requests: 1, cost_usd: rows[0]!.cost_usd });
    // The create call's reservation ended at 0 (nothing was known yet); the finished response's cost counts once.
    const gate = await gateOf(env, owned!.key_id).snapshot(owned!.key_id);
    expect([gate.daySpent, gate.dayReserved]).toEqual([BigInt(Math.round(rows[0]!.cost_usd * 1e12)), 0n]);
  });

  it("cancelled before it finished, by a cancel or by a DELETE of a running one: a zero-cost row that says so", async () => {
    const cancelled = await background(60_000);
    const answer = await json(await call(`/v1/responses/${cancelled.id}/cancel`, { token: cancelled.key, method: "POST" }));
    expect(answer.status).toBe("cancelled");
    const deleted = await background(60_000, cancelled.key);
    expect((await json(await call(`/v1/responses/${deleted.id}`, { token: deleted.key, method: "DELETE" }))).deleted).toBe(true);
    expect(await upstreamStored(deleted.id)).toHaveProperty("error");
    const zeroCost = (request_id: string) => expect.objectContaining({ request_id, status: 200, cost_usd: 0, error: expect.stringMatching(/^cancelled/) });
    expect(await responsesRows(cancelled.key)).toEqual([zeroCost(deleted.requestId), zeroCost(cancelled.requestId)]);
  });

  it("a DELETE of one finished but never seen bills it before deleting it", async () => {
    const { key, id } = await background(50);
    await sleep(100);
    const { usage } = await upstreamStored(id);
    expect((await json(await call(`/v1/responses/${id}`, { token: key, method: "DELETE" }))).deleted).toBe(true);
    expect(await upstreamStored(id)).toHaveProperty("error");
    expectBilled((await responsesRows(key))[0], usage);
    await poll();
    expect(await responsesRows(key)).toHaveLength(1);
  });
});
