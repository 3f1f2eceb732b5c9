import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addDays, dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db, seed } from "./support/ledger";
import { levelsOf } from "./support/levels";
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

  it("is what the admin's every-key answers read, while a key's answers and group_by=key read the per-key rollups", async () => {
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

describe("GET /v1/spend for one key or by key: rollup_all_tiers, each group's tiers summed once", () => {
  /** One key's day: intent on nano in two tiers, one tier's request (`paired`) with a shadow pair. */
  async function twoTiers(day: string, paired: "default" | "flex" = "default") {
    const key = await createKey();
    const own = await seed([
      { time: at(day, 9), keyId: key.id, requestId: `default-${key.id}`, usage: { inputTokens: 1500, cachedTokens: 1024, outputTokens: 30 } },
      { time: at(day, 10), keyId: key.id, requestId: `flex-${key.id}`, tier: "flex", usage: { inputTokens: 900, outputTokens: 70 } },
    ]);
    const nano = own[paired === "default" ? 0 : 1]!;
    const shadows = await seed([
      { time: nano.time, keyId: key.id, requestId: `${paired}-${key.id}`, attempt: 2, model: "gpt-5.4-mini", tier: nano.serviceTier, shadow: { agreement: 1, pairCostPico: nano.costPico }, usage: { inputTokens: 1500, outputTokens: 33 } },
    ]);
    return { key, own, nano, shadows };
  }

  // Each tier's row is one entry of the stratum's JSON, the default tier's first: with the pair on
  // flex, the entry without pairs comes first and the pair's sums are added to it.
  it.each(["default", "flex"] as const)("answers by day as in total: the measured projection reads both tiers of a stratum, merged (pair on %s)", async (paired) => {
    const day = addDays(dayOf(Date.now()), paired === "default" ? -9 : -10);
    const { key, own, nano, shadows } = await twoTiers(day, paired);
    const range = `from=${day}&to=${day}`;
    // By day a stratum's rows are summed in JavaScript, by endpoint in SQL: the key's tiers already
    // summed (rollup_all_tiers), every key's (the admin's, rollup_all) one row per tier.
    for (const token of [key.key, ADMIN_TOKEN]) {
      const [byDay, byEndpoint] = [await spend(`${range}&group_by=day`, token), await spend(`${range}&group_by=endpoint`, token)];
      expect(byDay.rows).toHaveLength(1);
      expect({ ...byDay.rows[0], day: undefined }).toEqual({ ...byEndpoint.totals, day: undefined });
    }
    // Σ cost·R: the stratum's cost (both tiers, one without a pair) at the ratio of its pair, y/x.
    const [cost, x, y] = [own[0]!.costPico + own[1]!.costPico, nano.costPico, shadows[0]!.costPico];
    for (const token of [key.key, ADMIN_TOKEN]) {
      const dayRow = (await spend(`${range}&group_by=day`, token)).rows[0];
      expect(dayRow).toMatchObject({ requests: 2, shadow_requests: 1, mini_cost_usd_measured: Math.round(cost * (y / x)) / 1e12 });
    }
  });

  it("holds one row per key × day × endpoint × model, the sum of its tiers' rollup rows, kept as the ledger grows", async () => {
    const day = addDays(dayOf(Date.now()), -11);
    const { key } = await twoTiers(day);
    const rows = await env.DB.prepare("SELECT endpoint, model, requests, shadow_requests, pairs FROM rollup_all_tiers WHERE key_id = ? ORDER BY endpoint").bind(key.id).all();
    expect(rows.results).toEqual([{ endpoint: "intent", model: "gpt-5.4-nano", requests: 2, shadow_requests: 1, pairs: 1 }]);
    const { rollup_all_tiers: level } = await levelsOf(env.DB, day);
    expect(level!.kept).toEqual(level!.summed);
  });

  it("is what a key's answers and group_by=key read unless grouped by tier, while every key's answers read rollup_all", async () => {
    const day = addDays(dayOf(Date.now()), -13);
    const { key } = await twoTiers(day);
    await rollDay(db(), day, Date.now(), 90);
    const range = `from=${day}&to=${day}`;
    const read = async () => ({
      own: await spend(range, key.key),
      byKey: await spend(`${range}&group_by=key`),
      byTier: await spend(`${range}&group_by=tier`, key.key),
      all: await spend(range),
    });
    const before = await read();
    // A mark only rollup_all_tiers carries: 1 000 more requests of the key on the day.
    await env.DB.prepare("UPDATE rollup_all_tiers SET requests = requests + 1000 WHERE day = ? AND key_id = ?").bind(day, key.id).run();
    const marked = await read();
    expect(marked.own.totals.requests).toBe(before.own.totals.requests + 1000);
    const ofKey = (answer: typeof before.byKey) => answer.rows.find((r: { key_id: string }) => r.key_id === key.id).requests;
    expect(ofKey(marked.byKey)).toBe(ofKey(before.byKey) + 1000);
    expect([marked.byTier, marked.all]).toEqual([before.byTier, before.all]);
    // The next rollup of the day writes it again from rollup.
    await rollDay(db(), day, Date.now(), 90);
    expect(await read()).toEqual(before);
  });
});
