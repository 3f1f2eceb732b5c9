import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { keyWithCalls } from "../support/gateway-calls";
import { api, as, expectRow, nanometer, tableIn } from "./run";

/** The columns the requests table shows without --columns, in its documented order. */
const DEFAULT_COLUMNS = ["time", "request_id", "attempt", "endpoint", "model", "status", "input_tokens", "cached_tokens", "output_tokens", "cost_usd", "latency_ms"];

type LedgerRow = Record<string, unknown>;
interface Page {
  data: LedgerRow[];
  next_cursor: string | null;
}

let key: string;
let ledger: LedgerRow[];
const page = async (query: string) => api<Page>(`/v1/spend/requests?${query}`, key);

beforeAll(async () => {
  ({ key } = await keyWithCalls("cli-requests"));
  ledger = (await page("limit=1000")).json.data;
});

describe("nanometer requests", () => {
  it("shows one page of ledger rows as the API lists them, the page's totals, and the next cursor on stderr", async () => {
    const first = (await page("limit=4")).json;
    const run = await nanometer(["requests", "--limit", "4"], as(key));
    expect(run.code).toBe(0);
    expect(run.err).toBe(`next page: --cursor ${first.next_cursor}\n`);
    const table = tableIn(run.out, "time");
    expect(table.header).toEqual(DEFAULT_COLUMNS);
    expect(table.rows).toHaveLength(4);
    first.data.forEach((row, i) => expectRow(table.rows[i], row, DEFAULT_COLUMNS));
    const sum = (field: string) => first.data.reduce((total, row) => total + (row[field] as number), 0);
    const summed = ["input_tokens", "cached_tokens", "output_tokens", "cost_usd"];
    expect(table.totals?.filter((cell) => cell !== "")).toHaveLength(1 + summed.length);
    expect(table.totals?.[0]).toBe("total");
    expectRow(summed.map((field) => table.totals![DEFAULT_COLUMNS.indexOf(field)]!), Object.fromEntries(summed.map((f) => [f, sum(f)])), summed);
  });

  it("--cursor shows the page after it", async () => {
    const { next_cursor } = (await page("limit=4")).json;
    const second = (await page(`limit=4&cursor=${next_cursor}`)).json;
    const table = tableIn((await nanometer(["requests", "--limit", "4", "--cursor", next_cursor!], as(key))).out, "time");
    expect(table.rows).toHaveLength(second.data.length);
    second.data.forEach((row, i) => expectRow(table.rows[i], row, DEFAULT_COLUMNS));
  });

  it("--all follows the cursors, and --json then prints each page's body as received, one a line", async () => {
    const bodies: Buffer[] = [];
    for (let cursor: string | null = ""; cursor !== null; ) {
      const { bytes, json } = await page(`limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      bodies.push(bytes);
      cursor = json.next_cursor;
    }
    expect(ledger.length).toBeGreaterThan(8);
    expect(bodies).toHaveLength(Math.ceil(ledger.length / 4));
    const run = await nanometer(["requests", "--all", "--limit", "4", "--json"], as(key));
    expect([run.code, run.err]).toEqual([0, ""]);
    expect(run.stdout.equals(Buffer.concat(bodies.flatMap((body) => [body, Buffer.from("\n")])))).toBe(true);

    const table = tableIn((await nanometer(["requests", "--all", "--limit", "4"], as(key))).out, "time");
    expect(table.rows).toHaveLength(ledger.length);
    ledger.forEach((row, i) => expectRow(table.rows[i], row, DEFAULT_COLUMNS));
  });

  it("--all stops at --max rows and says where to go on", async () => {
    const second = (await page(`limit=4&cursor=${(await page("limit=4")).json.next_cursor}`)).json;
    const run = await nanometer(["requests", "--all", "--limit", "4", "--max", "5"], as(key));
    expect(run.err).toBe(`stopped at 8 rows (--max 5); to go on: --cursor ${second.next_cursor}\n`);
    expect(tableIn(run.out, "time").rows).toHaveLength(8);
  });

  it("passes filters through", async () => {
    const errors = (await page("status=400")).json.data;
    expect(errors.map((row) => row.endpoint)).toEqual(["chat.completions"]);
    const table = tableIn((await nanometer(["requests", "--status", "400"], as(key))).out, "time");
    expect(table.rows).toHaveLength(1);
    expectRow(table.rows[0], errors[0]!, DEFAULT_COLUMNS);
  });

  it("--csv writes every field of every row, numbers exact", async () => {
    const run = await nanometer(["requests", "--limit", "1000", "--csv"], as(key));
    expect(run.code).toBe(0);
    expect(run.out.split("\r\n")[0]).toBe(Object.keys(ledger[0]!).join(","));
    const records = parse(run.stdout, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(ledger.length);
    records.forEach((record, i) => {
      for (const [field, value] of Object.entries(ledger[i]!)) {
        if (typeof value === "number") expect(Number(record[field]), field).toBe(value);
        else expect(record[field], field).toBe(value === null ? "" : String(value));
      }
    });
  });
});
