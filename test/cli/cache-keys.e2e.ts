import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, keyWithCalls } from "../support/gateway-calls";
import { api, as, asAdmin, expectRow, flat, nanometer, tableIn } from "./run";

/** The columns the cache table shows without --columns, after the endpoint, as documented. */
const CACHE_COLUMNS = ["input_tokens", "cached_tokens", "cache_hit_ratio", "prefix_tokens", "prefix_uncached_tokens", "prefix_saving_usd"];

type Row = Record<string, unknown>;
interface Listed {
  rows?: Row[];
  totals?: Row;
  data?: Row[];
}

let key: string;
beforeAll(async () => {
  ({ key } = await keyWithCalls("cli-cache"));
});

/** Every field of every CSV record is the JSON row's, numbers compared as numbers. */
function expectCsv(csv: Buffer, rows: Row[]) {
  const records = parse(csv, { columns: true }) as Record<string, string>[];
  expect(records).toHaveLength(rows.length);
  records.forEach((record, i) => {
    expect(Object.keys(record)).toEqual(Object.keys(rows[i]!));
    for (const [field, value] of Object.entries(rows[i]!)) {
      if (typeof value === "number") expect(Number(record[field]), field).toBe(value);
      else expect(record[field], field).toBe(value === null ? "" : String(value));
    }
  });
}

describe("nanometer cache", () => {
  it("shows each endpoint's cache figures and the totals as the API answers them", async () => {
    const cache = (await api<Required<Listed>>("/v1/spend/cache", key)).json;
    expect(cache.totals.cached_tokens).toBeGreaterThan(0);
    const run = await nanometer(["cache"], as(key));
    expect([run.code, run.err]).toEqual([0, ""]);
    const table = tableIn(run.out, "endpoint");
    expect(table.header).toEqual(["endpoint", ...CACHE_COLUMNS]);
    expect(table.rows).toHaveLength(cache.rows.length);
    cache.rows.forEach((row, i) => expectRow(table.rows[i], row, table.header));
    expect(table.totals?.[0]).toBe("total");
    expectRow(table.totals?.slice(1), cache.totals, CACHE_COLUMNS);
  });

  it("--json prints the body as received; --csv every field of the rows", async () => {
    const { bytes, json } = await api<Required<Listed>>("/v1/spend/cache", key);
    expect((await nanometer(["cache", "--json"], as(key))).stdout.equals(bytes)).toBe(true);
    expectCsv((await nanometer(["cache", "--csv"], as(key))).stdout, json.rows);
  });
});

describe("nanometer keys", () => {
  it("lists every key with every field, with the admin token", async () => {
    const data = (await api<Required<Listed>>("/v1/admin/keys", adminToken)).json.data.map((k) => flat(k));
    expect(data.map((k) => k.name)).toContain("cli-cache");
    expect(Object.keys(data[0]!)).toContain("spend.day.spent_usd");
    const run = await nanometer(["keys"], asAdmin());
    expect([run.code, run.err]).toEqual([0, ""]);
    const table = tableIn(run.out, "id");
    expect(table.header).toEqual(Object.keys(data[0]!));
    expect(table.rows).toHaveLength(data.length);
    data.forEach((row, i) => expectRow(table.rows[i], row, table.header));
    expect(run.out).toMatch(new RegExp(`\n\n${data.length} keys?\n$`));
  });

  it("--json prints the body as received; --csv every field", async () => {
    const { bytes, json } = await api<Required<Listed>>("/v1/admin/keys", adminToken);
    expect((await nanometer(["keys", "--json"], asAdmin())).stdout.equals(bytes)).toBe(true);
    expectCsv((await nanometer(["keys", "--csv"], asAdmin())).stdout, json.data.map((k) => flat(k)));
  });

  it("an API key gets the server's 403 as one line", async () => {
    const run = await nanometer(["keys"], as(key));
    expect([run.code, run.out, run.err]).toEqual([7, "", "nanometer: 403 forbidden: this needs the admin token\n"]);
  });
});
