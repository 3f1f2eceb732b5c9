import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gateOf } from "../workers/keys/budget";
import type { KeyGate } from "../workers/keys/key-gate";
import { type BudgetState, periodOf, rollTo } from "../workers/keys/reservations";
import { createBatch, chatLine, pollBatch } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { call, createKey, dispatch } from "./support/worker";

const nonce = () => crypto.randomUUID();

/** What the ledger holds for a key: its rows' exact sum. */
async function ledgerPico(keyId: string): Promise<bigint> {
  const row = await env.DB.prepare("SELECT coalesce(sum(cost_pico), 0) AS cost FROM ledger WHERE key_id = ?").bind(keyId).first<{ cost: number }>();
  return BigInt(row!.cost);
}

/** The key's gate agrees with its ledger: the day's and month's spend, and nothing held. */
async function expectGateIsLedger(keyId: string) {
  const spent = await ledgerPico(keyId);
  const gate = await gateOf(env, keyId).snapshot(keyId);
  expect({ day: gate.daySpent, month: gate.monthSpent, reserved: gate.dayReserved }).toEqual({ day: spent, month: spent, reserved: 0n });
}

const setBudget = (id: string, daily_budget_usd: number | null) => call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { daily_budget_usd } });

/** A call that thinks 1024 tokens (about $0.0013 at nano's output price); `hold` ms upstream first. */
const dearCall = (key: string, holdMs = 0) =>
  dispatch("/v1/chat/completions", {
    token: key,
    body: {
      model: "gpt-5.4-nano",
      reasoning_effort: "xhigh",
      max_completion_tokens: 2000,
      messages: [{ role: "user", content: `think hard ${nonce()}${holdMs ? ` [[sim:fault=timeout,ms=${holdMs}]]` : ""}` }],
    },
  });

/** A cheap call whose reservation (16 output tokens and its few input bytes) fits a $0.005 budget many times over. */
const cheapCall = (key: string) =>
  call("/v1/chat/completions", { token: key, body: { model: "gpt-5.4-nano", max_completion_tokens: 16, messages: [{ role: "user", content: "hi" }] } });

async function spendDear(key: string, n: number) {
  await Promise.all(
    Array.from({ length: n }, async () => {
      const { response, settled } = await dearCall(key);
      expect(response.status).toBe(200);
      await settled();
    }),
  );
}

describe("budgets: the gate's spend is the ledger's, whatever happened to the budget", () => {
  it("a key that spent 2× a budget while it had none gets 402 once the budget is set again", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 1 });
    expect((await cheapCall(key)).status).toBe(200); // the gate now holds the day
    expect((await setBudget(id, null)).status).toBe(200);
    await spendDear(key, 8);
    expect(await ledgerPico(id)).toBeGreaterThan(2n * 5_000_000_000n);
    expect((await setBudget(id, 0.005)).status).toBe(200);
    expect((await cheapCall(key)).status).toBe(402);
    await expectGateIsLedger(id);
  });

  it("a key that never had a budget starts its first one from what it spent", async () => {
    const { key, id } = await createKey();
    await spendDear(key, 8);
    expect((await setBudget(id, 0.005)).status).toBe(200);
    expect((await cheapCall(key)).status).toBe(402);
    await expectGateIsLedger(id);
  });

  it("counts calls that were in flight, without a budget, when the budget was set", async () => {
    const { key, id } = await createKey();
    const inFlight = Array.from({ length: 8 }, () => dearCall(key, 2000));
    await new Promise((r) => setTimeout(r, 700)); // every call is past its (absent) budget check, waiting on the upstream
    expect((await setBudget(id, 0.005)).status).toBe(200);
    for (const { response, settled } of await Promise.all(inFlight)) {
      expect(response.status).toBe(200);
      await settled();
    }
    expect(await ledgerPico(id)).toBeGreaterThan(5_000_000_000n);
    expect((await cheapCall(key)).status).toBe(402);
    await expectGateIsLedger(id);
  });

  it("ends a batch's reservation and counts its lines although the budget was cleared meanwhile", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 1 });
    const { client, settled } = openaiClient(key);
    const batch = await createBatch(client, [chatLine("a", `one ${nonce()}`), chatLine("b", `two ${nonce()}`)]);
    expect((await setBudget(id, null)).status).toBe(200);
    await pollBatch(client, batch.id);
    await settled();
    expect(await ledgerPico(id)).toBeGreaterThan(0n);
    expect((await setBudget(id, 1)).status).toBe(200);
    await expectGateIsLedger(id);
  });
});

describe("budgets: where the gate's spend starts", () => {
  it("a gate stored when it counted only calls made under a budget is read from the ledger again, its reservations kept", async () => {
    const { key, id } = await createKey();
    await spendDear(key, 2);
    const now = Date.now();
    const reservation = { pico: 1000n, day: periodOf("day", now), month: periodOf("month", now), expiresAt: now + 60_000 };
    const stale = { day: periodOf("day", now), daySpent: 1n, month: periodOf("month", now), monthSpent: 1n, reservations: { r1: reservation } };
    const gate = gateOf(env, id);
    await runInDurableObject(gate, async (instance: KeyGate) => {
      const object = instance as unknown as { state: unknown; ctx: DurableObjectState };
      await object.ctx.storage.put("budget", stale);
      object.state = undefined;
    });
    const spent = await ledgerPico(id);
    expect(await gate.snapshot(id)).toMatchObject({ daySpent: spent, monthSpent: spent, dayReserved: 1000n });
  });

  it("a new key's gate starts when the key is made, from its empty ledger, before any call could race a ledger read", async () => {
    const { id } = await createKey();
    const stored = await runInDurableObject(gateOf(env, id), (instance: KeyGate) =>
      (instance as unknown as { ctx: DurableObjectState }).ctx.storage.get<BudgetState>("budget"),
    );
    expect(stored).toMatchObject({ daySpent: 0n, monthSpent: 0n, countsEveryCall: true });
  });

  it("a period that has ended starts again at zero; the one still running keeps its spend", () => {
    const state: BudgetState = { day: "2030-01-31", daySpent: 5n, month: "2030-01", monthSpent: 9n, reservations: {}, countsEveryCall: true };
    expect(rollTo(state, "2030-01-31", "2030-01")).toEqual(state);
    expect(rollTo(state, "2030-02-01", "2030-02")).toMatchObject({ day: "2030-02-01", daySpent: 0n, month: "2030-02", monthSpent: 0n });
    const nextDay = { ...state, day: "2030-01-30" };
    expect(rollTo(nextDay, "2030-01-31", "2030-01")).toMatchObject({ daySpent: 0n, monthSpent: 9n });
  });
});
