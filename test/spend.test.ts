import { describe, expect, it } from "vitest";
import { wilson } from "../workers/spend/estimates";
import { addDays, dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { call, createKey, json } from "./support/worker";
import { at, db, seed, spendJson, sums } from "./support/ledger";

const today = dayOf(Date.now());
const spend = async (query: string, token?: string) => {
  const res = await call(`/v1/spend?${query}`, { token });
  expect(res.status).toBe(200);
  return json(res);
};
/** Rolls a day up at 00:15 the next day, as the cron does: a complete rollup. */
const roll = (day: string) => rollDay(db(), day, at(day, 24, 15), 90);

describe("GET /v1/spend", () => {
  it("serves rolled days, unrolled days and today alike, to the pico-dollar", async () => {
    // Days inside the retention window (the route re-checks only those), whatever day the suite runs.
    const [rolled, missed] = [addDays(today, -20), addDays(today, -19)];
    const a = await seed([{ time: at(rolled, 3), keyId: "kS1" }, { time: at(rolled, 4), keyId: "kS1", status: 500 }]);
    const b = await seed([{ time: at(missed), keyId: "kS1", usage: { inputTokens: 4096, cachedTokens: 2048 } }]);
    const c = await seed([{ time: Date.now(), keyId: "kS1", endpoint: "summarize" }]);
    await roll(rolled);
    const body = await spend(`from=${rolled}&to=${today}&key_id=kS1`);
    expect(body.rows).toEqual([
      { day: rolled, ...spendJson(a, 2, 1) },
      { day: missed, ...spendJson(b) },
      { day: today, ...spendJson(c) },
    ]);
    expect(body.totals).toEqual(spendJson([...a, ...b, ...c], 4, 1));

    // A late row counts as soon as it is written (the rollup is kept row by row); checking the day again changes nothing.
    const late = await seed([{ time: at(rolled, 23), keyId: "kS1" }]);
    expect((await spend(`from=${rolled}&to=${rolled}&key_id=kS1`)).totals).toEqual(spendJson([...a, ...late], 3, 1));
    const rerolled = await call("/v1/admin/rollup", { body: { day: rolled } });
    expect((await json(rerolled)).totals).toEqual(spendJson([...a, ...late], 3, 1));
    expect((await spend(`from=${rolled}&to=${rolled}&key_id=kS1`)).totals).toEqual(spendJson([...a, ...late], 3, 1));
  });

  it("counts each day once when rolled and unrolled days alternate (more spans than it reads apart)", async () => {
    const days = Array.from({ length: 40 }, (_, i) => addDays("2026-06-01", i));
    const rows = [];
    for (const day of days) rows.push(...(await seed([{ time: at(day), keyId: "kS6" }])));
    for (const day of days.filter((_, i) => i % 2 === 0)) await roll(day);
    expect((await spend(`from=${days[0]}&to=${days[39]}&key_id=kS6`)).totals).toEqual(spendJson(rows));
  });

  it("puts a request at 23:59:59.999 UTC in its own day, live and rolled", async () => {
    const last = await seed([{ time: Date.UTC(2026, 8, 10, 23, 59, 59, 999), keyId: "kS2" }]);
    const first = await seed([{ time: Date.UTC(2026, 8, 11), keyId: "kS2", usage: { outputTokens: 1 } }]);
    const expected = [{ day: "2026-09-10", ...spendJson(last) }, { day: "2026-09-11", ...spendJson(first) }];
    expect((await spend("from=2026-09-10&to=2026-09-11&key_id=kS2")).rows).toEqual(expected);
    await roll("2026-09-10");
    await roll("2026-09-11");
    expect((await spend("from=2026-09-10&to=2026-09-11&key_id=kS2")).rows).toEqual(expected);
  });

  it("shows a key only its own spend; the admin sees all and may filter by key", async () => {
    const [keyA, keyB] = [await createKey({ name: "a" }), await createKey({ name: "b" })];
    const day = "2026-09-20";
    const a = await seed([{ time: at(day), keyId: keyA.id }, { time: Date.now(), keyId: keyA.id }]);
    const b = await seed([{ time: at(day), keyId: keyB.id, endpoint: "extract" }]);
    await roll(day);
    const range = `from=${day}&to=${today}`;
    expect((await spend(`${range}&group_by=key`, keyA.key)).rows).toEqual([{ key_id: keyA.id, ...spendJson(a) }]);
    expect((await spend(range, keyB.key)).totals).toEqual(spendJson(b));
    const stolen = await call(`/v1/spend?key_id=${keyB.id}`, { token: keyA.key });
    expect(stolen.status).toBe(403);
    expect((await json(stolen)).error.field).toBe("key_id");
    const both = (await spend(`${range}&group_by=key`)).rows.filter((r: { key_id: string }) => [keyA.id, keyB.id].includes(r.key_id));
    expect(both).toEqual([{ key_id: keyA.id, ...spendJson(a) }, { key_id: keyB.id, ...spendJson(b) }].sort((x, y) => (x.key_id < y.key_id ? -1 : 1)));
    expect((await spend(`${range}&key_id=${keyB.id}`)).totals).toEqual(spendJson(b));
  });

  it("groups by any of day, endpoint, model and key, and defaults to the last 30 days by day", async () => {
    const day = addDays(today, -29);
    const nano = await seed([{ time: at(day), keyId: "kS3", endpoint: "tool" }]);
    const mini = await seed([{ time: at(day, 13), keyId: "kS3", endpoint: "tool", model: "gpt-5.4-mini" }]);
    await seed([{ time: at(addDays(today, -30)), keyId: "kS3" }]);
    const body = await spend("group_by=model,endpoint,key&key_id=kS3");
    expect([body.from, body.to, body.group_by]).toEqual([day, today, ["endpoint", "model", "key"]]);
    // What ran on mini is mini's measured cost as it is; nano's spend without a shadow pair is not measured.
    const onMini = mini[0]!.costPico / 1e12;
    const measured = { mini_cost_usd_measured: onMini, mini_cost_usd_measured_low: onMini, mini_cost_usd_measured_high: onMini };
    expect(body.rows).toEqual([
      { endpoint: "tool", model: "gpt-5.4-mini", key_id: "kS3", ...spendJson(mini), ...measured },
      { endpoint: "tool", model: "gpt-5.4-nano", key_id: "kS3", ...spendJson(nano) },
    ]);
    expect((await spend("key_id=kS3")).rows).toEqual([{ day, ...spendJson([...nano, ...mini]) }]);
  });

  it("refuses a bad query with a 400 naming the field", async () => {
    for (const [query, field] of [
      ["group_by=team", "group_by"],
      ["group_by=", "group_by"],
      ["from=2026-02-30", "from"],
      ["to=yesterday", "to"],
      ["from=2026-10-02&to=2026-10-01", "from"],
      ["format=xml", "format"],
    ]) {
      const res = await call(`/v1/spend?${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).error, query).toMatchObject({ type: "invalid_request", field });
    }
  });

  it("answers format=csv as text/csv with a header row and exact decimal dollars", async () => {
    const day = "2026-10-05";
    const rows = await seed([{ time: at(day), keyId: "kS4", endpoint: "rerank", usage: { inputTokens: 1, cachedTokens: 0, outputTokens: 0 } }]);
    const res = await call(`/v1/spend?from=${day}&to=${day}&key_id=kS4&group_by=day,endpoint&format=csv`);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const { costPico, miniCostPico } = sums(rows);
    expect([costPico, miniCostPico]).toEqual([200_000, 750_000]);
    const header =
      "day,endpoint,requests,errors,input_tokens,cached_tokens,output_tokens,reasoning_tokens,cache_write_tokens,cost_usd,mini_cost_usd,saved_usd,cache_hit_ratio," +
      "escalations,shadow_requests,shadow_cost_usd,agreement,agreement_low,agreement_high," +
      "mini_cost_usd_measured,mini_cost_usd_measured_low,mini_cost_usd_measured_high,cost_per_success_usd\r\n";
    expect(await res.text()).toBe(header + `${day},rerank,1,0,1,0,0,0,0,0.000000200000,0.000000750000,0.000000550000,0,0,0,0.000000000000,,,,,,,0.000000200000\r\n`);

    // A shadow pair, mini's 750 000 pico-USD against nano's 200 000: agreement 1 with its interval, mini measured at 3.75×.
    await seed([{ time: at(day), keyId: "kS4", endpoint: "rerank", requestId: "csv-pair", usage: { inputTokens: 1, cachedTokens: 0, outputTokens: 0 } }]);
    await seed([
      {
        time: at(day), keyId: "kS4", endpoint: "rerank", requestId: "csv-pair", attempt: 2, model: "gpt-5.4-mini",
        usage: { inputTokens: 1, cachedTokens: 0, outputTokens: 0 }, shadow: { agreement: 1, pairCostPico: 200_000 },
      },
    ]);
    const paired = await call(`/v1/spend?from=${day}&to=${day}&key_id=kS4&group_by=day,endpoint&format=csv`);
    const high = String(wilson(1, 1)!.high);
    const low = String(wilson(1, 1)!.low);
    // Two requests, one pair (no ratio interval): mini measured at 3.75 × 400 000 pico-USD.
    expect((await paired.text()).split("\r\n")[1]).toBe(
      `${day},rerank,2,0,2,0,0,0,0,0.000000400000,0.000001500000,0.000001100000,0,0,1,0.000000750000,1,${low},${high},0.000001500000,,,0.000000200000`,
    );
  });

  it("projects a monthly run-rate at nano and at mini from the last 7 whole days", async () => {
    const basis = [];
    for (let i = 1; i <= 7; i++) basis.push(...(await seed([{ time: at(addDays(today, -i)), keyId: "kS5", usage: { outputTokens: 100 * i } }])));
    await seed([{ time: at(addDays(today, -8)), keyId: "kS5" }, { time: Date.now(), keyId: "kS5" }]);
    const { costPico, miniCostPico } = sums(basis);
    const monthly = (pico: number) => Math.round((pico * 30) / 7);
    expect((await spend("key_id=kS5")).projection).toEqual({
      basis_days: 7,
      basis_from: addDays(today, -7),
      basis_to: addDays(today, -1),
      monthly_usd: monthly(costPico) / 1e12,
      monthly_mini_usd: monthly(miniCostPico) / 1e12,
      monthly_saved_usd: (monthly(miniCostPico) - monthly(costPico)) / 1e12,
    });
  });
});
