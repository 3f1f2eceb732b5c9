import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addDays } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db } from "./support/ledger";
import { call } from "./support/worker";

const ROWS = 25_000;
const YEAR = { from: "2024-01-01", to: "2024-12-30" }; // 365 days
// Each row: $2000.000000000123 and, at mini, $7500.000000000461: both just under 2^53 pico-USD apart from
// the pico digits, so any float on the way would show in the last decimals.
const COST = 2_000_000_000_000_123n;
const MINI = 7_500_000_000_000_461n;

/** A year of rows for one key straight into the ledger, in SQL: 25 000 rows spread over 365 days. */
async function seedYear(keyId: string) {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, input_tokens, cached_tokens,
       output_tokens, reasoning_tokens, cost_pico, mini_cost_pico, latency_ms)
     SELECT ? || i, 1, ? + (i % 365) * 86400000 + (i / 365) * 1000, ?, 'summarize', 'gpt-5.4-nano', 'seed', 200, 1, 0, 1, 0, ?, ?, 1 FROM n`,
  )
    .bind(ROWS, `${keyId}_`, Date.parse(`${YEAR.from}T06:00:00Z`), keyId, Number(COST), Number(MINI))
    .run();
}

/** n pico-USD as USD with all twelve decimals (CSV), and with trailing zeros dropped (JSON). */
const fixed12 = (pico: bigint) => `${pico / 10n ** 12n}.${(pico % 10n ** 12n).toString().padStart(12, "0")}`;
const decimal = (pico: bigint) => fixed12(pico).replace(/\.?0+$/, "");

describe("money at scale: $50M in a year sums exactly, live and rolled, in JSON and CSV", () => {
  it("adds 25 000 rows of ~$2000 to $50 000 000.000003075 without overflow or float rounding", async () => {
    const keyId = `kBig_${crypto.randomUUID()}`;
    await seedYear(keyId);
    const stored = await env.DB.prepare("SELECT count(*) AS n, typeof(cost_pico) AS t FROM ledger WHERE key_id = ?").bind(keyId).first();
    expect(stored).toEqual({ n: ROWS, t: "integer" });
    const total = COST * BigInt(ROWS);
    const mini = MINI * BigInt(ROWS);
    expect(decimal(total)).toBe("50000000.000003075");
    // SQLite's own integer sum cannot hold it: this is what the split sums are for.
    await expect(env.DB.prepare("SELECT sum(cost_pico) FROM ledger WHERE key_id = ?").bind(keyId).first()).rejects.toThrow(/overflow/);

    const query = `/v1/spend?from=${YEAR.from}&to=${YEAR.to}&key_id=${keyId}&group_by=key`;
    const expectExact = (text: string) => {
      expect(text).toContain(`"cost_usd":${decimal(total)},"mini_cost_usd":${decimal(mini)},"saved_usd":${decimal(mini - total)}`);
    };
    const live = await (await call(query)).text();
    expectExact(live);

    for (let day = YEAR.from; day <= YEAR.to; day = addDays(day, 1)) await rollDay(db(), day, at(day, 24, 15), 100_000);
    const rolled = await (await call(query)).text();
    expectExact(rolled);
    expect(rolled.replace(/"projection":.*$/, "")).toBe(live.replace(/"projection":.*$/, ""));

    const csv = await (await call(`${query}&format=csv`)).text();
    const [header, line] = csv.split("\r\n");
    const cell = (name: string) => line!.split(",")[header!.split(",").indexOf(name)];
    expect([cell("cost_usd"), cell("mini_cost_usd"), cell("saved_usd")]).toEqual(["50000000.000003075000", fixed12(mini), fixed12(mini - total)]);
  }, 120_000);
});
