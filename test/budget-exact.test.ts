import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dbFor } from "../workers/db/client";
import { apiKeys } from "../workers/db/schema";
import { budgetsOf, gateOf } from "../workers/keys/budget";
import { call, createKey } from "./support/worker";

/** $999,999.999999: a micro-dollar budget whose pico-USD (10^18 - 10^6) is past 2^53, so no double holds it. */
const LARGEST = 999999.999999;
const LARGEST_PICO = 999_999_999_999_000_000n;

/** The budgets as the gateway reads the key from D1 before a call. */
async function storedBudgets(id: string) {
  const [row] = await dbFor(env.DB).select().from(apiKeys).where(eq(apiKeys.id, id));
  return budgetsOf(row!);
}

describe("budgets are exact to the micro-dollar at any size", () => {
  it("echoes 999999.999999 as given, when the key is made, changed and listed", async () => {
    const created = await call("/v1/admin/keys", { body: { name: "large", daily_budget_usd: LARGEST, monthly_budget_usd: 123456.654321 } });
    expect(created.status).toBe(201);
    const createdText = await created.text();
    expect(createdText).toContain('"daily_budget_usd":999999.999999,');
    expect(createdText).toContain('"monthly_budget_usd":123456.654321,');
    const { id } = JSON.parse(createdText) as { id: string };

    const patched = await call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { monthly_budget_usd: LARGEST } });
    expect(await patched.text()).toContain('"monthly_budget_usd":999999.999999,');
    const listed = await (await call("/v1/admin/keys")).text();
    expect(listed).toContain(`"id":"${id}","name":"large"`);
    expect(listed.slice(listed.indexOf(id))).toMatch(/^[^}]*"daily_budget_usd":999999\.999999,"monthly_budget_usd":999999\.999999,/);
    expect(await storedBudgets(id)).toEqual({ day: LARGEST_PICO, month: LARGEST_PICO });
  });

  it("the gate admits a reservation of exactly the budget and refuses one pico-dollar more", async () => {
    const { id } = await createKey({ daily_budget_usd: LARGEST });
    const budgets = await storedBudgets(id);
    const gate = gateOf(env, id);
    const ask = (reservation: string, pico: bigint) => gate.reserve({ keyId: id, id: reservation, pico, budgets, ttlMs: 60_000, waitMs: 0 });
    expect(await ask("over", LARGEST_PICO + 1n)).toMatchObject({ ok: false, period: "day", budget: LARGEST_PICO, full: false });
    expect(await ask("exact", LARGEST_PICO)).toEqual({ ok: true });
    await gate.settle(id, "exact", 0n, Date.now());
  });
});
