import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dbFor } from "../workers/db/client";
import type { NewLedgerRow } from "../workers/db/schema";
import { checkBudget, nextUtcMidnight, spentOn } from "../workers/keys/budget";
import { utcDay } from "../workers/metering/cost";
import { writeLedgerRows } from "../workers/metering/ledger";
import { call, createKey, json } from "./support/worker";

const db = () => dbFor(env.DB);
const DAY_MS = 86_400_000;

const ledgerSum = async (keyId: string, day: string) =>
  (
    await env.DB.prepare(
      "SELECT coalesce(sum(cost_pico), 0) AS n FROM ledger WHERE key_id = ? AND strftime('%Y-%m-%d', time / 1000, 'unixepoch') = ?",
    )
      .bind(keyId, day)
      .first<{ n: number }>()
  )?.n;
const ledgerCount = async (keyId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM ledger WHERE key_id = ?").bind(keyId).first<{ n: number }>())?.n;

let serial = 0;
function row(keyId: string, time: number, costPico: number): NewLedgerRow {
  return {
    requestId: `req_budget_${++serial}`,
    attempt: 1,
    time,
    keyId,
    endpoint: "intent",
    model: "gpt-5.4-nano",
    upstream: "seed",
    status: 200,
    error: null,
    inputTokens: 10,
    cachedTokens: 0,
    outputTokens: 1,
    reasoningTokens: 0,
    costPico,
    miniCostPico: costPico * 4,
    latencyMs: 1,
  };
}

describe("daily budgets", () => {
  it("lets a key with a tiny budget through once, then answers 402 with the reset time and retry-after", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 1e-6 });
    const first = await call("/v1/intent", { token: key, body: { text: "where is my parcel?" } });
    expect(first.status).toBe(200);
    expect((await json(first)).cost.usd).toBeGreaterThan(1e-6);

    const before = Date.now();
    const refused = await call("/v1/intent", { token: key, body: { text: "and now?" } });
    expect(refused.status).toBe(402);
    const body = await json(refused);
    expect(body.error.type).toBe("budget_exceeded");
    const reset = /resets at (\S+Z)/.exec(body.error.message)?.[1];
    expect(reset).toBeDefined();
    expect([nextUtcMidnight(before), nextUtcMidnight(Date.now())]).toContain(Date.parse(reset!));
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(refused.headers.get("x-request-id")).toMatch(/^req_/);

    // The refused call reached no upstream and left no ledger row: one row, the first call's.
    expect(await ledgerCount(id)).toBe(1);
    // The OpenAI-compatible path is admitted the same way.
    const chat = await call("/v1/chat/completions", {
      token: key,
      body: { model: "gpt-5.4-nano", messages: [{ role: "user", content: "hi" }] },
    });
    expect(chat.status).toBe(402);
    expect(await ledgerCount(id)).toBe(1);
  });

  it("never stops a key without a budget, however much it has spent today", async () => {
    const { key, id } = await createKey();
    await writeLedgerRows(db(), [row(id, Date.now(), 1_000_000_000_000)]);
    expect(await spentOn(db(), id, utcDay(Date.now()))).toBe(1_000_000_000_000n);
    for (let i = 0; i < 2; i++) {
      expect((await call("/v1/intent", { token: key, body: { text: `call ${i}` } })).status).toBe(200);
    }
  });

  it("counts only today: yesterday's spend over the budget does not stop today's calls", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 0.001 });
    await writeLedgerRows(db(), [row(id, Date.now() - DAY_MS, 5_000_000_000)]);
    expect((await call("/v1/intent", { token: key, body: { text: "today" } })).status).toBe(200);
    await writeLedgerRows(db(), [row(id, Date.now(), 1_000_000_000)]);
    expect((await call("/v1/intent", { token: key, body: { text: "today again" } })).status).toBe(402);
  });

  it("keeps the day's spend counter equal to the ledger's sum for the key and day", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 100 });
    for (const text of ["one", "two two", "three three three"]) {
      expect((await call("/v1/intent", { token: key, body: { text } })).status).toBe(200);
    }
    const today = utcDay(Date.now());
    const sum = await ledgerSum(id, today);
    expect(sum).toBeGreaterThan(0);
    expect(await spentOn(db(), id, today)).toBe(BigInt(sum!));
  });

  it("does not double count a replayed ledger write, and keeps each UTC day apart", async () => {
    const { id } = await createKey({ daily_budget_usd: 1 });
    const noon = Date.parse("2026-03-10T12:00:00.000Z");
    const rows = [row(id, noon, 700), row(id, noon + 1000, 300), row(id, noon + DAY_MS, 50), row(id, noon, 0)];
    await writeLedgerRows(db(), rows);
    await writeLedgerRows(db(), rows);
    expect(await spentOn(db(), id, "2026-03-10")).toBe(1000n);
    expect(await spentOn(db(), id, "2026-03-11")).toBe(50n);
    expect(await ledgerSum(id, "2026-03-10")).toBe(1000);
  });

  it("refuses exactly at the budget and gives the seconds to the next UTC midnight", async () => {
    const { id } = await createKey({ daily_budget_usd: 1e-6 });
    const now = Date.parse("2026-05-31T23:59:58.500Z");
    const key = (await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first())!;
    const apiKey = { id, dailyBudgetPico: key.daily_budget_pico as number } as Parameters<typeof checkBudget>[1];
    await writeLedgerRows(db(), [row(id, now, 999_999)]);
    await expect(checkBudget(db(), apiKey, now)).resolves.toBeUndefined();
    await writeLedgerRows(db(), [row(id, now, 1)]);
    const err = await checkBudget(db(), apiKey, now).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 402, type: "budget_exceeded", options: { headers: { "retry-after": "2" } } });
    expect((err as Error).message).toContain("2026-06-01T00:00:00.000Z");
    expect(nextUtcMidnight(Date.parse("2026-12-31T00:00:00.000Z"))).toBe(Date.parse("2027-01-01T00:00:00.000Z"));
  });
});
