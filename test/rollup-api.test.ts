import { describe, expect, it } from "vitest";
import { addDays, dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db, spendFromSums } from "./support/ledger";
import { call, createKey, json } from "./support/worker";

const pico = (usd: number) => Math.round(usd * 1e12);
type Tokens = { input_tokens: number; cached_tokens: number; cache_write_tokens?: number; output_tokens: number; reasoning_tokens: number };

/** The spend fields from token counts and pico-USD sums, as the SPEC defines them. */
function expected(requests: number, errors: number, items: (Tokens & { costPico: number; miniPico: number })[]) {
  const total = (f: (i: (typeof items)[number]) => number) => items.reduce((s, i) => s + f(i), 0);
  const sums = {
    inputTokens: total((i) => i.input_tokens),
    cachedTokens: total((i) => i.cached_tokens),
    outputTokens: total((i) => i.output_tokens),
    reasoningTokens: total((i) => i.reasoning_tokens),
    cacheWriteTokens: total((i) => i.cache_write_tokens ?? 0),
    costPico: total((i) => i.costPico),
    miniCostPico: total((i) => i.miniPico),
  };
  return spendFromSums(sums, requests, errors);
}

/** Ledger rows as /v1/spend/requests shows them: a request counts once, errors by final status. */
function fromLedger(rows: (Tokens & { request_id: string; attempt: number; status: number; cost_usd: number; mini_cost_usd: number })[]) {
  const finals = rows.filter((r) => !rows.some((o) => o.request_id === r.request_id && o.attempt > r.attempt));
  return expected(finals.length, finals.filter((r) => r.status >= 400).length, rows.map((r) => ({ ...r, costPico: pico(r.cost_usd), miniPico: pico(r.mini_cost_usd) })));
}

describe("after real calls by two keys", () => {
  it("POST /v1/admin/rollup and GET /v1/spend agree with the ledger and the upstream's usage, to the pico-dollar", async () => {
    const keys = [await createKey({ name: "e2e-a" }), await createKey({ name: "e2e-b" })];
    const answers = new Map<string, { usage: Tokens; cost: { usd: number; mini_usd: number } }[]>();
    const texts = ["I want a refund", "where is my parcel?", "cancel my subscription", "the app crashes on login", "thanks!"];
    for (const [i, text] of texts.entries()) {
      const key = keys[i % 2]!;
      const res = await call("/v1/intent", { token: key.key, body: { text, labels: ["refund", "shipping", "account", "other"] } });
      expect(res.status).toBe(200);
      answers.set(key.id, [...(answers.get(key.id) ?? []), await json(res)]);
    }
    const today = dayOf(Date.now());
    const ledger = (await json(await call(`/v1/spend/requests?from=${today}&to=${today}&limit=1000`))).data;
    expect(ledger.length).toBeGreaterThanOrEqual(texts.length);

    const rolled = await json(await call("/v1/admin/rollup", { body: { day: today } }));
    expect(rolled).toMatchObject({ day: today, complete: false, totals: fromLedger(ledger) });
    const again = await json(await call("/v1/admin/rollup", { body: { day: today } }));
    expect({ ...again, rolled_at: null }).toEqual({ ...rolled, rolled_at: null });

    for (const key of keys) {
      const mine = answers.get(key.id)!;
      const upstream = expected(mine.length, 0, mine.map((a) => ({ ...a.usage, costPico: pico(a.cost.usd), miniPico: pico(a.cost.mini_usd) })));
      const own = await json(await call(`/v1/spend?from=${today}&to=${today}&group_by=key`, { token: key.key }));
      expect(own.rows).toEqual([{ key_id: key.id, ...fromLedger(ledger.filter((r: { key_id: string }) => r.key_id === key.id)) }]);
      expect(own.totals).toEqual(upstream);
    }
  });
});

describe("POST /v1/admin/rollup", () => {
  it("rolls yesterday by default, as a complete day", async () => {
    const res = await call("/v1/admin/rollup", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ day: addDays(dayOf(Date.now()), -1), complete: true, totals: { requests: 0 } });
  });

  it("refuses a bad, future or past-retention day with a 400 naming `day`", async () => {
    await rollDay(db(), "2026-02-01", at("2026-02-02", 0, 15), 90);
    for (const day of ["2026-02-30", "tomorrow", addDays(dayOf(Date.now()), 1), "2026-02-01"]) {
      const res = await call("/v1/admin/rollup", { body: { day } });
      expect(res.status, day).toBe(400);
      expect((await json(res)).error.field, day).toBe("day");
    }
  });

  it("needs the admin token and answers 405 to other methods", async () => {
    const { key } = await createKey();
    expect((await call("/v1/admin/rollup", { token: key, body: {} })).status).toBe(403);
    const get = await call("/v1/admin/rollup");
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });
});
