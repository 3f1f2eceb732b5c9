import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import stringWidth from "string-width";
import { adminToken, base, gateway, keyWithCalls } from "../support/gateway-calls";
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

/** The columns the keys table shows without --columns, and the field of the API's key each shows. */
const KEY_COLUMNS: Record<string, string> = {
  id: "id",
  name: "name",
  prefix: "key_prefix",
  revoked: "revoked",
  rpm: "rpm",
  today_usd: "spend.day.spent_usd",
  day_budget_usd: "daily_budget_usd",
  month_usd: "spend.month.spent_usd",
  month_budget_usd: "monthly_budget_usd",
};
const LONG_NAME = "cli-keys, a name too long for its column";

describe("nanometer keys", () => {
  beforeAll(async () => {
    const created = await gateway("/v1/admin/keys", adminToken, { name: LONG_NAME, daily_budget_usd: 5, monthly_budget_usd: 100, rpm: 600 });
    const { id } = (await created.json()) as { id: string };
    const revoked = await fetch(`${base}/v1/admin/keys/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${adminToken}` } });
    expect(revoked.status).toBe(200);
  });

  it("lists every key in 120 columns: its name (cut), prefix, day revoked, rpm, and spend against budgets", async () => {
    const data = (await api<Required<Listed>>("/v1/admin/keys", adminToken)).json.data.map((k) => flat(k));
    const run = await nanometer(["keys"], asAdmin());
    expect([run.code, run.err]).toEqual([0, ""]);
    expect(Math.max(...run.out.split("\n").map((line) => stringWidth(line)))).toBeLessThanOrEqual(120);
    const table = tableIn(run.out, "id");
    expect(table.header).toEqual(Object.keys(KEY_COLUMNS));
    expect(table.rows).toHaveLength(data.length);
    data.forEach((key, i) => {
      const shown = Object.fromEntries(Object.entries(KEY_COLUMNS).map(([column, field]) => [column, key[field]]));
      const name = key.name as string;
      Object.assign(shown, { name: name.length > 16 ? `${name.slice(0, 15)}…` : name, revoked: (key.revoked as string | null)?.slice(0, 10) ?? null });
      expectRow(table.rows[i], shown, table.header);
    });
    const long = data.find((key) => key.name === LONG_NAME)!;
    expect(table.rows.find((row) => row[0] === long.id)?.slice(1, 5)).toEqual(["cli-keys, a nam…", long.key_prefix, (long.revoked as string).slice(0, 10), "600"]);
    expect(run.out).toMatch(new RegExp(`\n\n${data.length} keys?\n$`));
  });

  it("--columns all lists every field of every key", async () => {
    const data = (await api<Required<Listed>>("/v1/admin/keys", adminToken)).json.data.map((k) => flat(k));
    expect(Object.keys(data[0]!)).toContain("spend.day.spent_usd");
    const table = tableIn((await nanometer(["keys", "--columns", "all"], asAdmin())).out, "id");
    expect(table.header).toEqual(Object.keys(data[0]!));
    data.forEach((row, i) => expectRow(table.rows[i], row, table.header));
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
