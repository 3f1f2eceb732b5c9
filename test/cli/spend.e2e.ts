import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { keyWithCalls, type Spend } from "../support/gateway-calls";
import { api, as, expectCell, expectRow, nanometer, tableIn } from "./run";

/** The metric columns the spend table shows without --columns, as its help documents them. */
const DEFAULT_METRICS = ["requests", "errors", "input_tokens", "cached_tokens", "output_tokens", "cost_usd", "mini_cost_usd", "saved_usd", "cache_hit_ratio"];
const BY = "day,endpoint";

let key: string;
let spend: Spend;
beforeAll(async () => {
  ({ key } = await keyWithCalls("cli-spend"));
  spend = (await api<Spend>(`/v1/spend?group_by=${BY}`, key)).json;
});

describe("nanometer spend", () => {
  it("shows each group's figures and the totals as the API answers them, money to 3 significant digits", async () => {
    const run = await nanometer(["spend", "--by", BY], as(key));
    expect([run.code, run.err]).toEqual([0, ""]);
    expect(run.out).toMatch(new RegExp(`^Spend from ${spend.from} to ${spend.to}\n`));
    const table = tableIn(run.out, "day");
    expect(table.header).toEqual(["day", "endpoint", ...DEFAULT_METRICS]);
    expect(spend.rows.map((r) => r.endpoint)).toEqual(["chat.completions", "intent"]);
    expect(table.rows).toHaveLength(spend.rows.length);
    spend.rows.forEach((row, i) => expectRow(table.rows[i], row, table.header));
    expect(table.totals?.slice(0, 2)).toEqual(["total", ""]);
    expectRow(table.totals?.slice(2), spend.totals, DEFAULT_METRICS);
    expect(spend.totals.cost_usd).toBeGreaterThan(0);
  });

  it("shows the projection's every field", async () => {
    const projection = tableIn((await nanometer(["spend", "--by", BY], as(key))).out, "basis_days");
    expect(projection.header).toEqual(Object.keys(spend.projection));
    expectRow(projection.rows[0], spend.projection, projection.header);
  });

  it("takes its columns from the answer: --columns all shows every metric the totals carry", async () => {
    const table = tableIn((await nanometer(["spend", "--by", BY, "--columns", "all"], as(key))).out, "day");
    expect(table.header).toEqual(["day", "endpoint", ...Object.keys(spend.totals)]);
    spend.rows.forEach((row, i) => expectRow(table.rows[i], row, table.header));
    expectRow(table.totals?.slice(2), spend.totals, table.header.slice(2));
  });

  it("shows chosen columns with --columns, and refuses one the answer does not have", async () => {
    const table = tableIn((await nanometer(["spend", "--by", BY, "--columns", "agreement,cost_usd"], as(key))).out, "day");
    expect(table.header).toEqual(["day", "endpoint", "agreement", "cost_usd"]);
    expectCell(table.rows[1]?.[2], spend.rows[1]!.agreement, "agreement");
    const wrong = await nanometer(["spend", "--columns", "cost_eur"], as(key));
    expect([wrong.code, wrong.out]).toEqual([2, ""]);
    expect(wrong.err).toMatch(/^nanometer: no column cost_eur in this answer; it has requests, .*\n$/);
  });

  it("--json prints the API's body byte for byte", async () => {
    const run = await nanometer(["spend", "--by", BY, "--json"], as(key));
    expect(run.code).toBe(0);
    expect(run.stdout.equals((await api(`/v1/spend?group_by=${BY}`, key)).bytes)).toBe(true);
  });

  it("--csv prints the server's CSV, whose figures are the JSON's", async () => {
    const run = await nanometer(["spend", "--by", BY, "--csv"], as(key));
    expect(run.code).toBe(0);
    expect(run.stdout.equals((await api(`/v1/spend?group_by=${BY}&format=csv`, key)).bytes)).toBe(true);
    const records = parse(run.stdout, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.endpoint)).toEqual(spend.rows.map((r) => r.endpoint));
    records.forEach((record, i) => {
      for (const [field, value] of Object.entries(spend.rows[i]!)) {
        if (typeof value === "number") expect(Number(record[field]), field).toBeCloseTo(value, 12);
        else expect(record[field], field).toBe(value ?? "");
      }
    });
  });

  it("passes --by through as given, and shows the server's 400 for a group it does not know as one line", async () => {
    const run = await nanometer(["spend", "--by", "day,planet"], as(key));
    expect([run.code, run.out]).toEqual([8, ""]);
    expect(run.err).toMatch(/^nanometer: 400 invalid_request: group_by: use any of day, endpoint, .*\n$/);
  });

  it("a key reading another key's spend gets the server's 403 as one line", async () => {
    const run = await nanometer(["spend", "--key-id", "key_someone_else"], as(key));
    expect([run.code, run.out, run.err]).toEqual([7, "", "nanometer: 403 forbidden (key_id): a key can read only its own spend\n"]);
  });
});
