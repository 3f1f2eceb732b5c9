import { env } from "cloudflare:workers";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { NewLedgerRow } from "../workers/db/schema";
import { dimensionSides } from "../workers/spend/dimension";
import { addDays, dayOf } from "../workers/spend/days";
import { addTagSums } from "../workers/spend/rollup-attribution";
import { chunkRows } from "../workers/spend/rollup-check";
import { ledgerSumsOf } from "../workers/spend/sums";
import { rolledSpend, type SpendQuery } from "../workers/spend/spend";
import { rollDay } from "../workers/spend/rollup";
import { at, db, seed, spendJson } from "./support/ledger";
import { call, json } from "./support/worker";

const [before, tagged] = ["2026-08-03", "2026-08-04"];
const today = dayOf(Date.now());
const roll = (day: string) => rollDay(db(), day, at(day, 24, 15), 36_500);
const spend = async (query: string) => {
  const res = await call(`/v1/spend?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};

type Column = [name: string, of: (r: NewLedgerRow) => string | null];
const tag = (name: string): Column => [`tag:${name}`, (r) => (r.tags ? (JSON.parse(r.tags)[name] ?? null) : null)];
const user: Column = ["end_user", (r) => r.endUser ?? null];
const day: Column = ["day", (r) => dayOf(r.time)];
const endpoint: Column = ["endpoint", (r) => r.endpoint];
const key: Column = ["key_id", (r) => r.keyId];

/** The ledger rows summed per group, as GET /v1/spend answers them: values in order, no value last. */
function expected(rows: NewLedgerRow[], by: Column[]) {
  const groups = new Map<string, { values: (string | null)[]; rows: NewLedgerRow[] }>();
  for (const r of rows) {
    const values = by.map(([, of]) => of(r));
    const k = JSON.stringify(values);
    groups.set(k, { values, rows: [...(groups.get(k)?.rows ?? []), r] });
  }
  const order = (a: (string | null)[], b: (string | null)[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] === null ? 1 : b[i] === null ? -1 : a[i]! < b[i]! ? -1 : 1;
    return 0;
  };
  return [...groups.values()]
    .sort((a, b) => order(a.values, b.values))
    .map((g) => ({ ...Object.fromEntries(by.map(([name], i) => [name, g.values[i]])), ...spendJson(g.rows, g.rows.length, g.rows.filter((r) => r.status! >= 400).length) }));
}

/** A key's calls: before any tag, a tagged day (with calls lacking one tag or all), and today, live. */
async function calls(keyId: string) {
  const usage = (n: number) => ({ inputTokens: 1000 + 37 * n, cachedTokens: 128 * (n % 3), outputTokens: 90 + 11 * n });
  return seed([
    { time: at(before, 9), keyId, usage: usage(1), endUser: "ana" },
    { time: at(before, 10), keyId, endpoint: "summarize", usage: usage(2) },
    { time: at(tagged, 8), keyId, usage: usage(3), tags: { feature: "search", team: "core" }, endUser: "ana" },
    { time: at(tagged, 9), keyId, endpoint: "extract", usage: usage(4), tags: { feature: "search" }, endUser: "bo" },
    { time: at(tagged, 10), keyId, endpoint: "extract", usage: usage(5), tags: { feature: "chat.v2", team: "core" }, endUser: "bo" },
    { time: at(tagged, 11), keyId, usage: usage(6), tags: { team: "growth" } },
    { time: at(tagged, 12), keyId, status: 500, usage: { inputTokens: 0, outputTokens: 0 } },
    { time: Date.now(), keyId, usage: usage(7), tags: { feature: "search" }, endUser: "cy" },
    { time: Date.now(), keyId, endpoint: "summarize", usage: usage(8), endUser: "ana" },
  ]);
}

const QUERIES: [string, Column[]][] = [
  ["group_by=tag:feature", [tag("feature")]],
  ["group_by=day,tag:feature", [day, tag("feature")]],
  ["group_by=endpoint,tag:team", [endpoint, tag("team")]],
  ["group_by=user", [user]],
  ["group_by=day,user", [day, user]],
];

describe("GET /v1/spend by tag and by end user", () => {
  it("sums each grouping and filter to the exact sums of the matching calls, live and rolled alike, JSON and CSV", async () => {
    const rows = await calls("kT1");
    const range = `from=${before}&to=${today}&key_id=kT1`;
    const filters: [string, Column[], (r: NewLedgerRow) => boolean][] = [
      ["tag=feature:search&group_by=day", [day], (r) => tag("feature")[1](r) === "search"],
      ["tag=team:core&group_by=tag:team", [tag("team")], (r) => tag("team")[1](r) === "core"],
      ["user=bo&group_by=endpoint", [endpoint], (r) => r.endUser === "bo"],
      ["user=ana&group_by=user", [user], (r) => r.endUser === "ana"],
    ];
    const answer = async () => {
      const answers: unknown[] = [];
      for (const [query, by] of QUERIES) {
        const body = await spend(`${range}&${query}`);
        expect(body.rows, query).toEqual(expected(rows, by));
        expect(body.totals, query).toEqual(spendJson(rows, rows.length, 1));
        answers.push(body.rows);
      }
      for (const [query, by, keep] of filters) {
        const body = await spend(`${range}&${query}`);
        const kept = rows.filter(keep);
        expect(body.rows, query).toEqual(expected(kept, by));
        expect(body.totals, query).toEqual(spendJson(kept, kept.length, kept.filter((r) => r.status! >= 400).length));
        answers.push(body.rows);
      }
      return answers;
    };
    const live = await answer();
    await roll(before);
    await roll(tagged);
    expect(await answer()).toEqual(live);

    const csv = await call(`/v1/spend?${range}&group_by=tag:feature&format=csv`);
    const records = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    const want = expected(rows, [tag("feature")]);
    expect(records.map((r) => r["tag:feature"])).toEqual(want.map((r) => (r as Record<string, unknown>)["tag:feature"] ?? ""));
    expect(records.map((r) => Number(r.cost_usd))).toEqual(want.map((r) => r.cost_usd));
    expect(records.map((r) => r.requests)).toEqual(want.map((r) => String(r.requests)));
  });

  it("keeps the calls without a value in one group that, with the values, adds up to every call; keys apart", async () => {
    const [a, b] = [await calls("kT2"), await seed([{ time: at(tagged, 7), keyId: "kT3", tags: { feature: "search" }, endUser: "ana" }])];
    await roll(before);
    await roll(tagged);
    for (const [query, by] of [["key,tag:feature", [key, tag("feature")]], ["key,user", [key, user]]] as const) {
      const all = await spend(`from=${before}&to=${today}&group_by=${query}`);
      expect(all.rows.filter((r: { key_id: string }) => ["kT2", "kT3"].includes(r.key_id)), query).toEqual(expected([...a, ...b], [...by]));
    }
    // The rollup stores the untagged calls of a tagged day as the value '' (never an answer's value).
    const stored = await env.DB.prepare("SELECT DISTINCT tag_name FROM rollup_tags WHERE day = ? AND key_id = 'kT2' AND tag_value = ''").bind(tagged).all();
    expect(stored.results.map((r) => r.tag_name).sort()).toEqual(["feature", "team"]);
  });

  it("projects the run-rate of what a filter keeps", async () => {
    const yesterday = addDays(today, -1);
    const kept = await seed([{ time: at(yesterday), keyId: "kT4", tags: { feature: "proj" } }]);
    await seed([{ time: at(yesterday), keyId: "kT4", tags: { feature: "other" } }]);
    const monthly = (pico: number) => Math.round((pico * 30) / 7) / 1e12;
    expect((await spend("key_id=kT4&tag=feature:proj")).projection.monthly_usd).toBe(monthly(kept[0]!.costPico));
  });

  it("refuses what the rollups cannot answer exactly, and bad names, with a 400 naming the field", async () => {
    for (const [query, field] of [
      ["group_by=tag:feature,tag:team", "group_by"],
      ["group_by=tag:feature&tag=team:core", "tag"],
      ["group_by=user&tag=feature:search", "tag"],
      ["group_by=tag:feature&user=ana", "user"],
      ["tag=feature:search&tag=team:core", "tag"],
      ["user=ana&user=bo", "user"],
      ["group_by=tag:", "group_by"],
      ["group_by=tag:bad name", "group_by"],
      ["tag=feature", "tag"],
      ["tag=feature:bad value", "tag"],
      ["group_by=planet", "group_by"],
    ]) {
      const res = await call(`/v1/spend?${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).error, query).toMatchObject({ type: "invalid_request", field });
    }
    // The same dimension twice is one question: grouped by feature, kept to one feature.
    expect((await call("/v1/spend?group_by=tag:feature&tag=feature:search")).status).toBe(200);
    expect((await call("/v1/spend?group_by=tag:a:b&tag=a:b=c")).status).toBe(200);
  });
});

describe("indexes (EXPLAIN QUERY PLAN)", () => {
  const plan = async (query: { toSQL(): { sql: string; params: unknown[] } }) => {
    const { sql, params } = query.toSQL();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    const details = results.map((r) => r.detail);
    expect(details.filter((d) => /^SCAN (rollup|ledger)/.test(d))).toEqual([]);
    return details;
  };
  const year: SpendQuery = { from: "2026-01-01", to: "2026-12-31", groupBy: ["endpoint", "model", "tag"], keyId: undefined };

  it("reads a tag's days by day and name, an end user's by day and user, and rolls tags through ledger_time", async () => {
    const tagSide = dimensionSides({ dimension: { kind: "tag", name: "feature" } });
    expect(await plan(rolledSpend(db(), year, tagSide.rolled))).toEqual(expect.arrayContaining([expect.stringMatching(/^SEARCH rollup_tags USING INDEX sqlite_autoindex_rollup_tags_1 \(day=\? AND tag_name=\?\)/)]));
    const userSide = dimensionSides({ dimension: { kind: "user" }, only: "ana" });
    expect(await plan(rolledSpend(db(), { ...year, groupBy: ["day"] }, userSide.rolled))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SEARCH rollup_users USING INDEX sqlite_autoindex_rollup_users_1 \(day=\? AND end_user=\?\)/)]),
    );
    const chunk = { day: tagged, rows: chunkRows([Date.parse(tagged), Date.parse(tagged) + 3_600_000], 1000), sums: ledgerSumsOf(1000) };
    expect(await plan(addTagSums(db(), chunk))).toEqual(expect.arrayContaining([expect.stringMatching(/^SEARCH ledger USING INDEX ledger_time/)]));
  });
});
