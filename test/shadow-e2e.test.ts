import { describe, expect, it } from "vitest";
import { dayOf } from "../workers/spend/days";
import { expectedUsd, ledgerRowsOf } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

type Row = Record<string, any>;
const pico = (usd: number) => Math.round(usd * 1e12);
const SHADOW = { env: { SHADOW_RATE: "1" } };

describe("with SHADOW_RATE=1, after real calls and a rollup", () => {
  it("GET /v1/spend shows the shadow calls apart, priced exactly, with agreement and a measured mini from its own tokens", async () => {
    const { key } = await createKey({ name: "shadow-e2e" });
    const labels = ["refund", "shipping", "account", "other"];
    const schema = { type: "object", properties: { customer: { type: "string" }, total: { type: "number" } }, required: ["customer", "total"] };
    const calls = [
      ...["I want a refund", "where is my parcel?", "cancel my subscription", "the app crashes", "thanks!"].map((text) => ["/v1/intent", { text, labels }] as const),
      ...["Invoice 1 from ACME, total 120.50", "Invoice 2 from Initech, total 99", "Invoice 3 from Umbrella, total 5"].map((text) => ["/v1/extract", { text, schema }] as const),
    ];
    const answers: Row[] = [];
    for (const [path, body] of calls) {
      const res = await call(path, { token: key, body, ...SHADOW });
      expect(res.status).toBe(200);
      answers.push(await json(res));
    }

    const shadows: any[] = [];
    for (const answer of answers) {
      const rows = await ledgerRowsOf(key, answer.id);
      const shadow = rows.filter((r) => r.shadow);
      expect(shadow).toHaveLength(1);
      expect(shadow[0].cost_usd).toBe(expectedUsd(shadow[0], "gpt-5.4-mini"));
      shadows.push({ ...shadow[0], endpoint: rows[0].endpoint });
    }

    const today = dayOf(Date.now());
    expect((await call("/v1/admin/rollup", { body: { day: today } })).status).toBe(200);
    const spend = await json(await call(`/v1/spend?from=${today}&to=${today}&group_by=endpoint`, { token: key }));
    expect(spend.rows.map((r: Row) => r.endpoint)).toEqual(["extract", "intent"]);
    for (const row of spend.rows) {
      const mine = answers.filter((a) => (row.endpoint === "intent" ? "intent" in a : "data" in a));
      const theirs = shadows.filter((s) => s.endpoint === row.endpoint);
      // The caller's requests and cost are nano's answers alone; the shadow calls are apart, to the nano-dollar.
      expect(row.requests).toBe(mine.length);
      expect(pico(row.cost_usd)).toBe(mine.reduce((s, a) => s + pico(a.cost.usd), 0));
      expect(row.shadow_requests).toBe(theirs.length);
      expect(pico(row.shadow_cost_usd)).toBe(theirs.reduce((s, r) => s + pico(expectedUsd(r, "gpt-5.4-mini")), 0));
      expect(row.agreement).toBeGreaterThanOrEqual(0);
      expect(row.agreement).toBeLessThanOrEqual(1);
      expect(row.agreement_low).toBeLessThanOrEqual(row.agreement);
      expect(row.agreement_high).toBeGreaterThanOrEqual(row.agreement);
      // Measured from mini's own tokens. Intent asks for low reasoning effort, at which the simulator's mini thinks 1.6x as long
      // as nano: measured above nano's tokens at mini's prices. Extract asks for none: both models give the same tokens, so the
      // same figure (to the pico-dollar the ratio may round).
      if (row.endpoint === "intent") expect(row.mini_cost_usd_measured).toBeGreaterThan(row.mini_cost_usd);
      else expect(Math.abs(pico(row.mini_cost_usd_measured) - pico(row.mini_cost_usd))).toBeLessThanOrEqual(1);
      expect(row.mini_cost_usd_measured_low).toBeLessThanOrEqual(row.mini_cost_usd_measured);
      expect(row.mini_cost_usd_measured_high).toBeGreaterThanOrEqual(row.mini_cost_usd_measured);
      expect(row.cost_per_success_usd).toBe(Math.round(pico(row.cost_usd) / row.requests) / 1e12);
    }
    expect(spend.totals.shadow_requests).toBe(calls.length);

    const cache = await call(`/v1/spend/cache?from=${today}&to=${today}`, { token: key });
    expect(cache.status).toBe(200);
    const { rows, totals } = await json(cache);
    expect(rows.map((r: Row) => r.endpoint)).toEqual(["extract", "intent"]);
    expect(totals.input_tokens).toBe(answers.reduce((s, a) => s + a.usage.input_tokens, 0));
    expect(totals.cached_tokens).toBe(answers.reduce((s, a) => s + a.usage.cached_tokens, 0));
  });
});
