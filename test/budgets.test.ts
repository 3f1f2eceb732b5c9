import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gateOf, refusal } from "../workers/keys/budget";
import type { KeyGate } from "../workers/keys/key-gate";
import { extract } from "../workers/tasks/extract";
import { taskParams } from "../workers/tasks/params";
import { intentReservation, reservationOf } from "./support/reservations";
import { expectedPico } from "./support/spec-prices";
import { call, createKey, json } from "./support/worker";

const today = () => new Date().toISOString().slice(0, 10);
const pico = (usd: number) => BigInt(Math.round(usd * 1e12));

/** What the ledger holds for a key: its rows' exact sum and count. */
async function ledgerOf(keyId: string) {
  const row = await env.DB.prepare("SELECT count(*) AS n, coalesce(sum(cost_pico), 0) AS cost FROM ledger WHERE key_id = ?").bind(keyId).first<{ n: number; cost: number }>();
  return { rows: row!.n, cost: BigInt(row!.cost) };
}


/** One intent call's real cost, from a first call of the same size. */
async function oneCallCost(text: string) {
  const { key } = await createKey();
  const body = await json(await call("/v1/intent", { token: key, body: { text } }));
  return expectedPico(body.usage);
}

async function fire(key: string, n: number, body: (i: number) => unknown, path = "/v1/intent") {
  const responses = await Promise.all(Array.from({ length: n }, (_, i) => call(path, { token: key, body: body(i) })));
  return responses.map((r) => r.status);
}

describe("budgets: reservations hold under any concurrency", () => {
  it("200 concurrent calls against a daily budget that fits about 20: billed ≤ budget, ≥ budget − one reservation", async () => {
    const text = (i: number) => `where is my parcel number ${1000 + i}?`;
    const cost = await oneCallCost(text(0));
    const budget = cost * 20n;
    const { key, id } = await createKey({ daily_budget_usd: Math.ceil(Number(budget) / 1e6) / 1e6 });
    const budgetPico = pico((await json(await call("/v1/admin/keys"))).data.find((k: { id: string }) => k.id === id).daily_budget_usd);
    const statuses = await fire(key, 200, (i) => ({ text: text(i) }));

    const billed = await ledgerOf(id);
    const reservation = intentReservation(id, text(199));
    expect(reservation).toBeGreaterThan(cost); // a reservation is generous: the real call costs less
    expect(billed.cost).toBeLessThanOrEqual(budgetPico);
    expect(billed.cost).toBeGreaterThanOrEqual(budgetPico - reservation);
    expect(statuses.filter((s) => s === 200).length).toBe(billed.rows);
    expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
    // The gate and the ledger agree, and nothing stays reserved.
    const gate = await gateOf(env, id).snapshot(id);
    expect([gate.daySpent, gate.dayReserved]).toEqual([billed.cost, 0n]);
  }, 120_000);

  it("holds a monthly budget the same way, and says which budget refused and when it resets", async () => {
    const text = "cancel my subscription please";
    const cost = await oneCallCost(text);
    const { key, id } = await createKey({ monthly_budget_usd: Math.ceil(Number(cost * 10n) / 1e6) / 1e6 });
    const statuses = await fire(key, 60, () => ({ text }));
    const billed = await ledgerOf(id);
    const budgetPico = pico((await json(await call("/v1/admin/keys"))).data.find((k: { id: string }) => k.id === id).monthly_budget_usd);
    expect(billed.cost).toBeLessThanOrEqual(budgetPico);
    expect(billed.cost).toBeGreaterThanOrEqual(budgetPico - intentReservation(id, text));
    expect(statuses).toContain(402);

    const refused = await call("/v1/intent", { token: key, body: { text } });
    expect(refused.status).toBe(402);
    const error = (await json(refused)).error;
    expect(error.type).toBe("budget_exceeded");
    expect(error.message).toContain("monthly budget");
    const now = new Date();
    const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(error.message).toContain(reset.toISOString());
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan((reset.getTime() - Date.now()) / 1000 - 5);
  }, 120_000);

  it("reserves an escalation too: every call here goes to mini, and the billed total still stays inside", async () => {
    const schema = { type: "object", properties: { customer: { type: "string" } }, required: ["customer"] };
    const body = (i: number) => ({ text: `Invoice INV-${100 + i} for ACME [[sim:fail_rate=1,model=gpt-5.4-nano]]`, escalate: "auto" as const, schema });
    const probe = await createKey();
    const first = await json(await call("/v1/extract", { token: probe.key, body: body(0) }));
    expect(first.attempts.map((a: { model: string }) => a.model)).toEqual(["gpt-5.4-nano", "gpt-5.4-mini"]);
    const both = pico(first.cost.usd);
    // The reservation covers both attempts: nano's and mini's largest possible costs.
    const params = (keyId: string) => taskParams(extract, extract.input.parse(body(99)), keyId);
    const reservation = (keyId: string) => reservationOf(params(keyId), "gpt-5.4-nano") + reservationOf(params(keyId), "gpt-5.4-mini");
    const { key, id } = await createKey({ daily_budget_usd: Math.ceil(Number(reservation("key_0000000000000000") + both * 10n) / 1e6) / 1e6 });
    const statuses = await fire(key, 80, body, "/v1/extract");
    const billed = await ledgerOf(id);
    const budgetPico = pico((await json(await call("/v1/admin/keys"))).data.find((k: { id: string }) => k.id === id).daily_budget_usd);
    expect(billed.cost).toBeLessThanOrEqual(budgetPico);
    expect(billed.cost).toBeGreaterThanOrEqual(budgetPico - reservation(id));
    expect(statuses).toContain(402);
    expect(billed.rows % 2).toBe(0); // every admitted request made both its attempts
  }, 120_000);
});

describe("budgets: the gate is durable and agrees with the ledger", () => {
  it("keeps spend and reservations across a restart of the object", async () => {
    const { id } = await createKey({ daily_budget_usd: 1 });
    const gate = gateOf(env, id);
    const budgets = { day: 1_000_000_000_000n, month: null };
    expect(await gate.reserve({ keyId: id, id: "r1", pico: 400_000_000_000n, budgets, ttlMs: 60_000, waitMs: 0 })).toEqual({ ok: true });
    await gate.settle(id, "r1", 123n, Date.now());
    expect(await gate.reserve({ keyId: id, id: "r2", pico: 500_000_000_000n, budgets, ttlMs: 60_000, waitMs: 0 })).toEqual({ ok: true });
    // The object forgets everything in memory, as after an eviction or a deploy.
    await runInDurableObject(gate, (instance: KeyGate) => {
      (instance as unknown as { state: unknown }).state = undefined;
    });
    expect(await gate.snapshot(id)).toMatchObject({ day: today(), daySpent: 123n, dayReserved: 500_000_000_000n });
    const over = await gate.reserve({ keyId: id, id: "r3", pico: 500_000_000_000n, budgets, ttlMs: 60_000, waitMs: 0 });
    expect(over).toMatchObject({ ok: false, full: true, period: "day" });
  });

  it("starts a key's day from the ledger, and ends an abandoned reservation at its expiry", async () => {
    const { key, id } = await createKey();
    await call("/v1/intent", { token: key, body: { text: "spent before the budget existed" } });
    const spent = (await ledgerOf(id)).cost;
    const gate = gateOf(env, id);
    const budgets = { day: spent + 1000n, month: null };
    expect((await gate.snapshot(id)).daySpent).toBe(spent);
    expect(await gate.reserve({ keyId: id, id: "gone", pico: 1000n, budgets, ttlMs: 1, waitMs: 0 })).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(await gate.reserve({ keyId: id, id: "next", pico: 1000n, budgets, ttlMs: 60_000, waitMs: 0 })).toEqual({ ok: true });
    expect(await gate.reserve({ keyId: id, id: "more", pico: 1n, budgets, ttlMs: 60_000, waitMs: 0 })).toMatchObject({ ok: false });
  });

  it("waits for room that calls in flight hold, and admits once they settle below their reservation", async () => {
    const { id } = await createKey({ daily_budget_usd: 1 });
    const gate = gateOf(env, id);
    const budgets = { day: 1000n, month: null };
    await gate.reserve({ keyId: id, id: "a", pico: 800n, budgets, ttlMs: 60_000, waitMs: 0 });
    const waiting = gate.reserve({ keyId: id, id: "b", pico: 500n, budgets, ttlMs: 60_000, waitMs: 5_000 });
    await gate.settle(id, "a", 300n, Date.now());
    expect(await waiting).toEqual({ ok: true });
    // Spent 300 and 500 held: 300 more cannot fit until something settles, and 800 never can.
    expect(await gate.reserve({ keyId: id, id: "c", pico: 800n, budgets, ttlMs: 60_000, waitMs: 5_000 })).toMatchObject({ ok: false, full: false, spent: 300n });
  });
});

describe("budgets: the passthrough reserves its output limit, or BUDGET_RESERVE_OUTPUT_TOKENS", () => {
  it("refuses a call whose default output reservation cannot fit, and admits it with a small max_completion_tokens", async () => {
    // 4096 output tokens at nano's $1.25 per 1M is $0.00512: a $0.004 budget cannot hold the default reservation.
    const { key } = await createKey({ daily_budget_usd: 0.004 });
    const messages = [{ role: "user", content: "hi" }];
    expect((await call("/v1/chat/completions", { token: key, body: { messages } })).status).toBe(402);
    expect((await call("/v1/chat/completions", { token: key, body: { messages, max_completion_tokens: 1000 } })).status).toBe(200);
    const small = await call("/v1/chat/completions", { token: key, body: { messages }, env: { BUDGET_RESERVE_OUTPUT_TOKENS: "500" } });
    expect(small.status).toBe(200);
  });
});

describe("budgets: refusals", () => {
  it("a call that cannot fit before the period ends is a 402 with retry-after at the reset", () => {
    const now = Date.parse("2026-05-31T23:59:58.500Z");
    const day = refusal({ ok: false, period: "day", spent: 999_999n, budget: 1_000_000n, full: false }, now);
    expect(day).toMatchObject({ status: 402, type: "budget_exceeded", options: { headers: { "retry-after": "2" } } });
    expect(day.message).toContain("2026-06-01T00:00:00.000Z");
    const month = refusal({ ok: false, period: "month", spent: 5n, budget: 6n, full: false }, Date.parse("2026-12-31T12:00:00Z"));
    expect(month.message).toContain("2027-01-01T00:00:00.000Z");
    expect(month.options.headers?.["retry-after"]).toBe(String(12 * 3600));
  });

  it("a refused call reaches no upstream and leaves no ledger row", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 0.000001 });
    expect((await call("/v1/intent", { token: key, body: { text: "too dear" } })).status).toBe(402);
    expect(await ledgerOf(id)).toEqual({ rows: 0, cost: 0n });
  });
});
