import { describe, expect, it } from "vitest";
import { dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db, seed } from "./support/ledger";
import { call, createKey, json } from "./support/worker";

const today = dayOf(Date.now());
const cache = async (query: string, token?: string) => {
  const res = await call(`/v1/spend/cache?${query}`, { token });
  expect(res.status).toBe(200);
  return json(res);
};

/** One day of one key's calls: the largest cached prefix seen is 1536 tokens. */
async function day(time: (h: number) => number, keyId: string) {
  await seed([
    { time: time(1), keyId, usage: { inputTokens: 2000, cachedTokens: 1536 } },
    { time: time(2), keyId, usage: { inputTokens: 2000, cachedTokens: 0 } }, // 1536 prefix tokens billed uncached
    { time: time(3), keyId, usage: { inputTokens: 1600, cachedTokens: 1024 } }, // 512 more of the prefix missed
    { time: time(4), keyId, usage: { inputTokens: 1000, cachedTokens: 0 } }, // all 1000: shorter than the prefix
  ]);
  await seed([    { time: time(5), keyId, endpoint: "extract", usage: { inputTokens: 600, cachedTokens: 0 } }, // under 1024: never cached
    { time: time(6), keyId, endpoint: "extract", model: "gpt-5.4-mini", usage: { inputTokens: 3000, cachedTokens: 2048 } },
    { time: time(7), keyId, endpoint: "extract", model: "gpt-5.4-mini", usage: { inputTokens: 3000, cachedTokens: 1024 } },
    // A shadow call is measurement, not the caller's traffic: none of its tokens count here.
    { time: time(8), keyId, requestId: `shadow_${crypto.randomUUID()}`, attempt: 2, model: "gpt-5.4-mini", usage: { inputTokens: 9000, cachedTokens: 0 }, shadow: { agreement: 1, pairCostPico: 1 } },
  ]);
}

// Per token, caching saves input − cached input: 200 − 20 on nano, 750 − 75 on mini.
const intent = {
  endpoint: "intent",
  input_tokens: 6600,
  cached_tokens: 2560,
  uncached_input_tokens: 4040,
  cache_hit_ratio: 2560 / 6600,
  prefix_tokens: 1536,
  prefix_uncached_tokens: 1536 + 512 + 1000,
  prefix_saving_usd: (3048 * 180) / 1e9,
};
const extract = {
  endpoint: "extract",
  input_tokens: 6600,
  cached_tokens: 3072,
  uncached_input_tokens: 3528,
  cache_hit_ratio: 3072 / 6600,
  prefix_tokens: 2048,
  prefix_uncached_tokens: 1024,
  prefix_saving_usd: (1024 * 675) / 1e9,
};
const double = (row: typeof intent) => ({
  ...row,
  input_tokens: 2 * row.input_tokens,
  cached_tokens: 2 * row.cached_tokens,
  uncached_input_tokens: 2 * row.uncached_input_tokens,
  prefix_uncached_tokens: 2 * row.prefix_uncached_tokens,
  prefix_saving_usd: (2 * Math.round(row.prefix_saving_usd * 1e9)) / 1e9,
});

describe("GET /v1/spend/cache", () => {
  it("reports per endpoint the hit ratio, the input billed uncached and what caching the whole prefix would have saved", async () => {
    const key = `kC_${crypto.randomUUID()}`;
    await day((h) => at("2026-05-10", h), key);
    const live = await cache(`from=2026-05-10&to=2026-05-10&key_id=${key}`);
    expect(live).toEqual({
      from: "2026-05-10",
      to: "2026-05-10",
      rows: [extract, intent],
      totals: {
        input_tokens: 13200,
        cached_tokens: 5632,
        uncached_input_tokens: 7568,
        cache_hit_ratio: 5632 / 13200,
        prefix_tokens: 2048,
        prefix_uncached_tokens: 4072,
        prefix_saving_usd: (3048 * 180 + 1024 * 675) / 1e9,
      },
    });
    await rollDay(db(), "2026-05-10", at("2026-05-11", 0, 15), 90);
    expect(await cache(`from=2026-05-10&to=2026-05-10&key_id=${key}`)).toEqual(live);
  });

  it("measures each day's prefix apart: a day without a hit has nothing to gain", async () => {
    const key = `kD_${crypto.randomUUID()}`;
    await day((h) => at("2026-05-14", h), key);
    await seed([{ time: at("2026-05-15"), keyId: key, usage: { inputTokens: 2000, cachedTokens: 0 } }]);
    const { rows } = await cache(`from=2026-05-14&to=2026-05-15&key_id=${key}`);
    expect(rows[1]).toEqual({ ...intent, input_tokens: 8600, uncached_input_tokens: 6040, cache_hit_ratio: 2560 / 8600 });
  });

  it("adds rolled and live days, and shows a key only its own", async () => {
    const { id, key } = await createKey({ name: "cache" });
    await day((h) => at("2026-05-12", h), id);
    await rollDay(db(), "2026-05-12", at("2026-05-13", 0, 15), 90);
    await day((h) => Date.parse(`${today}T00:00:00.000Z`) + h * 60_000, id);
    const body = await cache(`from=2026-05-12&to=${today}`, key);
    expect(body.rows).toEqual([double(extract), double(intent)]);
    const other = await createKey({ name: "other" });
    expect((await cache(`from=2026-05-12&to=${today}`, other.key)).rows).toEqual([]);
    const stolen = await call(`/v1/spend/cache?key_id=${id}`, { token: other.key });
    expect(stolen.status).toBe(403);
  });

  it("refuses a bad range with a 400 naming the field", async () => {
    for (const [query, field] of [["from=2026-02-30", "from"], ["from=2026-05-02&to=2026-05-01", "from"], ["to=soon", "to"]]) {
      const res = await call(`/v1/spend/cache?${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).error.field, query).toBe(field);
    }
  });
});
