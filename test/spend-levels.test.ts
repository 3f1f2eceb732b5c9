import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addDays, dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db, seed } from "./support/ledger";
import { ADMIN_TOKEN, call, createKey, json } from "./support/worker";

const spend = async (query: string, token = ADMIN_TOKEN) => {
  const res = await call(`/v1/spend?${query}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  const { rows, totals } = await json(res);
  return { rows, totals };
};

/** Two keys' calls over two days: endpoints, models, tiers, an error, an escalation and a shadow pair. */
async function twoKeysTwoDays(days: string[]) {
  const [a, b] = [await createKey(), await createKey()];
  for (const [d, day] of days.entries()) {
    await seed([
      { time: at(day, 9), keyId: a.id, endpoint: "intent", usage: { inputTokens: 1200 + d, cachedTokens: 1024, outputTokens: 12 } },
      { time: at(day, 10), keyId: b.id, endpoint: "intent", tier: "flex", usage: { inputTokens: 800, outputTokens: 40 + d } },
      { time: at(day, 11), keyId: b.id, endpoint: "extract", status: 502, usage: { inputTokens: 0, outputTokens: 0 } },
      { time: at(day, 12), keyId: a.id, endpoint: "route", requestId: `esc-${day}`, attempt: 1, usage: { inputTokens: 300, outputTokens: 9 } },
      { time: at(day, 12), keyId: a.id, endpoint: "route", requestId: `esc-${day}`, attempt: 2, model: "gpt-5.4-mini", usage: { inputTokens: 300, outputTokens: 11 } },
      { time: at(day, 13), keyId: b.id, endpoint: "intent", requestId: `pair-${day}`, usage: { inputTokens: 500, outputTokens: 7 } },
      { time: at(day, 13), keyId: b.id, endpoint: "intent", requestId: `pair-${day}`, attempt: 2, model: "gpt-5.4-mini", shadow: { agreement: 1, pairCostPico: 123_456 }, usage: { inputTokens: 500, outputTokens: 8 } },
    ]);
  }
  return [a, b];
}

const GROUPINGS = ["", "day", "day,endpoint", "model,tier", "endpoint,model,tier"];

describe("GET /v1/spend for every key: rollup_all, each day's keys summed once", () => {
  it("answers the admin exactly as the ledger did before the rollup, for every grouping without key", async () => {
    const today = dayOf(Date.now());
    const days = [addDays(today, -3), addDays(today, -2)];
    await twoKeysTwoDays(days);
    const range = `from=${days[0]}&to=${days[1]}`;
    const live = await Promise.all(GROUPINGS.map((g) => spend(g ? `${range}&group_by=${g}` : range)));
    for (const day of days) await rollDay(db(), day, Date.now(), 90);
    const rolled = await Promise.all(GROUPINGS.map((g) => spend(g ? `${range}&group_by=${g}` : range)));
    expect(rolled).toEqual(live);
    expect(live[0]!.totals.requests).toBe(10); // 5 requests a day: an escalation and a shadow pair count once
  });

  it("holds one row per day × endpoint × model × tier, the sum of that day's keys' rollup rows", async () => {
    const day = addDays(dayOf(Date.now()), -5);
    await twoKeysTwoDays([day]);
    await rollDay(db(), day, Date.now(), 90);
    const sums = "sum(requests) AS requests, sum(errors) AS errors, sum(input_tokens) AS input_tokens, sum(cost_pico) AS cost_pico, sum(shadow_cost_pico) AS shadow_cost_pico, sum(pairs) AS pairs";
    const query = (table: string) =>
      env.DB.prepare(`SELECT endpoint, model, service_tier, ${sums} FROM ${table} WHERE day = ? GROUP BY endpoint, model, service_tier ORDER BY 1, 2, 3`).bind(day).all();
    const [all, perKey] = await Promise.all([query("rollup_all"), query("rollup")]);
    expect(all.results).toEqual(perKey.results);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM rollup_all WHERE day = ?").bind(day).first<{ n: number }>();
    expect(rows?.n).toBe(perKey.results.length);
  });

  it("is what the admin's every-key answers read, while a key's answers and group_by=key read rollup", async () => {
    const day = addDays(dayOf(Date.now()), -7);
    const [a] = await twoKeysTwoDays([day]);
    await rollDay(db(), day, Date.now(), 90);
    const range = `from=${day}&to=${day}`;
    const before = { all: await spend(range), byKey: await spend(`${range}&group_by=key`), own: await spend(range, a!.key) };
    // A mark only rollup_all carries: 1 000 more requests on the day.
    await env.DB.prepare("UPDATE rollup_all SET requests = requests + 1000 WHERE day = ? AND endpoint = 'intent' AND service_tier = 'default'").bind(day).run();
    expect((await spend(range)).totals.requests).toBe(before.all.totals.requests + 1000);
    expect(await spend(`${range}&group_by=key`)).toEqual(before.byKey);
    expect(await spend(range, a!.key)).toEqual(before.own);
    // The next rollup of the day writes it again from rollup.
    await rollDay(db(), day, Date.now(), 90);
    expect(await spend(range)).toEqual(before.all);
  });
});
