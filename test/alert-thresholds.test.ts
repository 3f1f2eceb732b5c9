import { describe, expect, it } from "vitest";
import { eventOf, listAlerts, newBox, poll } from "./support/alerts";
import { seed } from "./support/ledger";
import { intentReservation } from "./support/reservations";
import { call, createKey, json } from "./support/worker";

const TEXT = "where is my parcel?";
const HOUR = 3_600_000;

/** One intent call with the key: its status, and its cost in USD. */
async function intent(key: string, env = {}) {
  const res = await call("/v1/intent", { token: key, body: { text: TEXT }, env });
  return { status: res.status, costUsd: res.status === 200 ? ((await json(res)).cost.usd as number) : 0 };
}

describe("budget_threshold alerts from real calls", () => {
  it("records 50%, 80% and the first refusal (100%) once each, off the caller's clock, and the cron delivers each once, signed", async () => {
    const box = newBox();
    // What one call costs (the simulator is deterministic) and reserves; a budget of six
    // reservations: calls pass 50%, then 80%, and are refused once one more reservation cannot fit.
    const { costUsd } = await intent((await createKey()).key);
    const cost = BigInt(Math.round(costUsd * 1e12));
    const reservation = intentReservation("key_0000000000000000", TEXT);
    const budget = Math.ceil(Number(reservation * 6n) / 1e6) / 1e6;
    const budgetPico = BigInt(Math.round(budget * 1e6)) * 1_000_000n;
    const { id, key } = await createKey({ name: "checkout", daily_budget_usd: budget });
    const thresholds = async () => (await listAlerts({ key_id: id })).data.map((a) => a.threshold).sort();

    // The webhook is configured while the calls run: still nothing is sent from a call.
    const admitted = (budgetPico - reservation) / cost + 1n; // calls admitted while spent + reservation fits
    const calls = (n: bigint) => (budgetPico * n + 10n * cost - 1n) / (10n * cost); // calls to reach n tenths of the budget
    for (let i = 1n; i <= admitted; i++) {
      expect(await intent(key, box.vars)).toEqual({ status: 200, costUsd });
      expect(await thresholds(), `after call ${i}`).toEqual(i >= calls(8n) ? [0.5, 0.8] : i >= calls(5n) ? [0.5] : []);
    }
    for (let i = 0; i < 3; i++) expect((await intent(key, box.vars)).status).toBe(402);
    expect(await thresholds()).toEqual([0.5, 0.8, 1]);
    expect(await box.deliveries()).toEqual([]);
    const recorded = (await listAlerts({ key_id: id })).data;
    expect(recorded.map((a) => a.delivery.state)).toEqual(["pending", "pending", "pending"]);

    const now = Date.now();
    await poll(now, box.vars);
    await poll(now + HOUR, box.vars);
    await intent(key, box.vars); // refused again: no new event
    await poll(now + 2 * HOUR, box.vars);

    const deliveries = await box.deliveries([id]);
    expect(deliveries.map((d) => [d.verified, d.answered])).toEqual([
      [true, 200],
      [true, 200],
      [true, 200],
    ]);
    const sent = deliveries.map((d) => JSON.parse(d.body));
    expect(sent.map((e) => e.id).sort()).toEqual(recorded.map((a) => a.id).sort());
    expect(sent.map((e) => e.threshold).sort()).toEqual([0.5, 0.8, 1]);
    for (const event of sent) {
      expect(event).toMatchObject({ type: "budget_threshold", key_id: id, key_name: "checkout", budget_usd: budget, period: new Date(now).toISOString().slice(0, 10) });
    }
    // spent_usd is the day's spend when each was recorded: the call that passed 50%, 80%, and all admitted (refused).
    const spent = Object.fromEntries(sent.map((e) => [e.threshold, e.spent_usd]));
    expect(spent[0.5]).toBe(Number(calls(5n) * cost) / 1e12);
    expect(spent[0.8]).toBe(Number(calls(8n) * cost) / 1e12);
    expect(spent[1]).toBe(Number(admitted * cost) / 1e12);

    const listed = (await listAlerts({ key_id: id })).data;
    expect(listed.map(eventOf).sort((a, b) => a.id.localeCompare(b.id))).toEqual(sent.sort((a, b) => a.id.localeCompare(b.id)));
    for (const { delivery } of listed) {
      expect(delivery).toMatchObject({ state: "delivered", attempts: 1, last_status: 200, last_error: null, next_attempt_at: null });
      expect(delivery.history.map((h) => h.status)).toEqual([200]);
    }
  });

  it("records each threshold once when many calls cross it at the same time", async () => {
    const { id, key } = await createKey({ daily_budget_usd: 0.01 });
    await seed([{ time: Date.now(), keyId: id, usage: { inputTokens: 0, outputTokens: 8_000 } }]); // exactly $0.01: spent
    const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await intent(key)).status));
    expect(statuses).toEqual(Array(6).fill(402));
    await Promise.all([poll(Date.now()), poll(Date.now())]);
    expect((await listAlerts({ key_id: id })).data.map((a) => a.threshold).sort()).toEqual([0.5, 0.8, 1]);
  });

  it("records nothing for a key without a budget, and nothing under 50%", async () => {
    const free = await createKey();
    const roomy = await createKey({ daily_budget_usd: 100 });
    for (const key of [free.key, roomy.key]) expect((await intent(key)).status).toBe(200);
    await poll(Date.now());
    expect((await listAlerts({})).data.filter((a) => [free.id, roomy.id].includes(a.key_id))).toEqual([]);
  });
});
