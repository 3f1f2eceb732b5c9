import { describe, expect, it } from "vitest";
import { budgetCrossed } from "../workers/alerts/thresholds";
import { addDays } from "../workers/spend/days";
import { type ListedAlert, listAlerts, poll } from "./support/alerts";
import { at, db, seed } from "./support/ledger";
import { call, createKey, json } from "./support/worker";

const DAY = "2026-05-10";
const JUNE = "2026-06-10";
/** Nano output tokens that cost `usd` ($1.25 per 1M). */
const costing = (usd: number) => ({ inputTokens: 0, outputTokens: Math.round(usd * 800_000) });

/** Keys with a $1 daily budget, each spending `usd` on each of `days` (recorded by the cron at noon). */
async function keysSpending(count: number, usd: number, days: string[]) {
  const ids = [];
  for (let i = 0; i < count; i++) ids.push((await createKey({ name: `team ${i}`, daily_budget_usd: 1 })).id);
  for (const day of days) {
    await seed(ids.map((keyId) => ({ time: at(day, 9), keyId, usage: costing(usd) })));
    await poll(at(day, 12));
  }
  return ids;
}

describe("GET /v1/admin/alerts", () => {
  it("lists events newest first with their delivery state, in pages that cover every event once", async () => {
    const days = [DAY, addDays(DAY, 1)];
    const ids = await keysSpending(3, 0.9, days); // 50% and 80% for 3 keys on 2 days: 12 events
    const all: ListedAlert[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: Awaited<ReturnType<typeof listAlerts>> = await listAlerts({ from: days[0]!, to: days[1]!, limit: "5", ...(cursor && { cursor }) });
      expect(page.data.length).toBeLessThanOrEqual(5);
      all.push(...page.data);
      cursor = page.next_cursor;
    }
    expect(all).toHaveLength(12);
    expect(new Set(all.map((a) => a.id)).size).toBe(12);
    const created = all.map((a) => a.created);
    expect(created).toEqual([...created].sort().reverse());
    expect(all.filter((a) => a.period === days[1]).map((a) => a.created)).toEqual(Array(6).fill(new Date(at(days[1]!, 12)).toISOString()));
    expect(new Set(all.map((a) => a.key_id))).toEqual(new Set(ids));

    const [newest] = all;
    expect(Object.keys(newest!)).toEqual(["id", "type", "created", "key_id", "key_name", "period", "threshold", "spent_usd", "budget_usd", "delivery"]);
    expect(newest?.delivery).toEqual({
      state: "pending",
      attempts: 0,
      delivered_at: null,
      next_attempt_at: newest?.created,
      last_status: null,
      last_error: null,
      history: [],
    });
  });

  it("filters by type, key_id and days (from, to)", async () => {
    const [first, last] = [JUNE, addDays(JUNE, 2)];
    const [key] = await keysSpending(2, 0.6, [first, addDays(JUNE, 1), last]); // a 50% event per key and day
    const ofKey = (await listAlerts({ key_id: key! })).data;
    expect(ofKey.map((a) => [a.key_id, a.period, a.threshold])).toEqual([2, 1, 0].map((n) => [key, addDays(JUNE, n), 0.5]));
    const periods = async (query: Record<string, string>) => (await listAlerts(query)).data.map((a) => a.period);
    expect(await periods({ from: addDays(JUNE, 1), to: addDays(JUNE, 1) })).toEqual(Array(2).fill(addDays(JUNE, 1)));
    expect(await periods({ from: last })).toEqual(Array(2).fill(last));
    expect(await periods({ from: addDays(first, -1), to: first })).toEqual(Array(2).fill(first));
    expect(await periods({ from: first, type: "budget_threshold" })).toHaveLength(6);
    expect(await periods({ from: first, type: "spend_anomaly" })).toEqual([]);
  });

  it("keeps money exact to the pico-dollar, in the listing as in the webhook body", async () => {
    const { id } = await createKey({ name: "exact", daily_budget_usd: 123456.000001 });
    await budgetCrossed(db(), { key: { id, name: "exact" }, period: DAY, spentPico: 123_456_000_000_999_999n, budgetPico: 123_456_000_001_000_000n, refused: true });
    const text = await (await call(`/v1/admin/alerts?key_id=${id}`)).text();
    expect(text.match(/"spent_usd":[^,]+/g)).toEqual(Array(3).fill('"spent_usd":123456.000000999999'));
    expect(text.match(/"budget_usd":[^,]+/g)).toEqual(Array(3).fill('"budget_usd":123456.000001'));
  });

  it("is the admin's: a key gets 403; a bad filter or cursor is a 400 naming it", async () => {
    const { key } = await createKey();
    const res = await call("/v1/admin/alerts", { token: key });
    expect(res.status).toBe(403);
    expect((await json(res)).error.type).toBe("forbidden");
    for (const [query, field] of [
      ["type=budget", "type"],
      ["limit=0", "limit"],
      ["cursor=bm9wZQ", "cursor"],
      ["from=2026-02-30", "from"],
      ["from=2026-05-02&to=2026-05-01", "from"],
    ]) {
      const bad = await call(`/v1/admin/alerts?${query}`);
      expect(bad.status, query).toBe(400);
      expect((await json(bad)).error.field, query).toBe(field);
    }
  });
});

describe("GET /v1/spend/budgets", () => {
  it("gives a key its own budget use, and the admin every budgeted key's", async () => {
    const now = Date.now();
    const mine = await createKey({ name: "mine", daily_budget_usd: 2 });
    const other = await createKey({ name: "other", daily_budget_usd: 0.5 });
    const unbudgeted = await createKey({ name: "free" });
    await seed([
      { time: now, keyId: mine.id, usage: costing(0.5) },
      { time: now - 86_400_000, keyId: mine.id, usage: costing(1) }, // yesterday's does not count
    ]);
    const today = new Date(now).toISOString().slice(0, 10);
    const resets = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString();

    const own = await json(await call("/v1/spend/budgets", { token: mine.key }));
    expect(own).toEqual({
      key_id: mine.id,
      data: [{ key_id: mine.id, key_name: "mine", period: today, budget_usd: 2, spent_usd: 0.5, used: 0.25, resets_at: resets }],
    });
    expect((await call(`/v1/spend/budgets?key_id=${other.id}`, { token: mine.key })).status).toBe(403);
    expect(await json(await call("/v1/spend/budgets", { token: unbudgeted.key }))).toEqual({ key_id: unbudgeted.id, data: [] });

    const all = await json(await call("/v1/spend/budgets"));
    expect(all.key_id).toBeNull();
    const listed = all.data.filter((b: { key_id: string }) => [mine.id, other.id, unbudgeted.id].includes(b.key_id));
    expect(listed.map((b: { key_name: string; spent_usd: number }) => [b.key_name, b.spent_usd])).toEqual([
      ["mine", 0.5],
      ["other", 0],
    ]);
    expect((await json(await call(`/v1/spend/budgets?key_id=${other.id}`))).data.map((b: { key_id: string }) => b.key_id)).toEqual([other.id]);
  });
});
