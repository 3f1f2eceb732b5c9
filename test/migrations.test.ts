import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { levelsOf } from "./support/levels";

const migrations = env.TEST_MIGRATIONS;
const upTo = (name: string) => migrations.slice(0, migrations.findIndex((m) => m.name.startsWith(name)));
const db = env.MIGRATION_DB;
const all = async (sql: string) => (await db.prepare(sql).all()).results;

describe("migrations 0007 (price tiers, pico-USD), 0014 (rollup_all), 0015 (rollup rebuilt in key order), 0016 (the rollup's triggers) and 0017 (rollup_all_tiers) on a database with history", () => {
  it("keeps every existing amount exactly (× 1000 to pico-USD), seeds the tiers and keeps the budget trigger", async () => {
    await applyD1Migrations(db, upTo("0007"));
    await db.batch([
      db.prepare("INSERT INTO api_keys (id, name, key_hash, key_prefix, created_at, daily_budget_nano) VALUES ('k1', 'old', 'h', 'nm_', 1, 1500000000)"),
      db.prepare(
        `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, input_tokens, cached_tokens, output_tokens,
           reasoning_tokens, cost_nano, mini_cost_nano, latency_ms, shadow, pair_cost_nano)
         VALUES ('r1', 1, 1772366400000, 'k1', 'intent', 'gpt-5.4-nano', 'api.openai.com', 200, 100, 0, 10, 0, 32500, 120000, 5, 0, NULL),
                ('r1', 2, 1772366400000, 'k1', 'intent', 'gpt-5.4-mini', 'api.openai.com', 200, 100, 0, 30, 0, 210000, 210000, 5, 1, 32500)`,
      ),
      db.prepare(
        `INSERT INTO rollup (day, key_id, endpoint, model, requests, errors, input_tokens, cached_tokens, output_tokens, reasoning_tokens,
           cost_nano, mini_cost_nano, shadow_requests, shadow_cost_nano, pairs, pair_nano_cost_nano, pair_mini_cost_nano, pair_nano_sq, pair_mini_sq, pair_cross)
         VALUES ('2026-03-01', 'k1', 'intent', 'gpt-5.4-nano', 1, 0, 100, 0, 10, 0, 32500, 120000, 1, 210000, 1, 32500, 210000, 1056250000.0, 44100000000.0, 6825000000.0)`,
      ),
    ]);

    await applyD1Migrations(db, upTo("0014"));
    // A second key's row of the same day, for 0014's sum over keys.
    await db
      .prepare(
        `INSERT INTO rollup (day, key_id, endpoint, model, service_tier, requests, errors, input_tokens, cached_tokens, output_tokens, reasoning_tokens,
           cost_pico, mini_cost_pico) VALUES ('2026-03-01', 'k2', 'intent', 'gpt-5.4-nano', 'default', 2, 1, 50, 0, 5, 0, 7, 9)`,
      )
      .run();
    await applyD1Migrations(db, upTo("0016"));

    expect(await all("SELECT daily_budget_pico FROM api_keys")).toEqual([{ daily_budget_pico: 1_500_000_000_000 }]);
    expect(await all("SELECT attempt, cost_pico, mini_cost_pico, pair_cost_pico, service_tier, cache_write_tokens FROM ledger ORDER BY attempt")).toEqual([
      { attempt: 1, cost_pico: 32_500_000, mini_cost_pico: 120_000_000, pair_cost_pico: null, service_tier: "default", cache_write_tokens: 0 },
      { attempt: 2, cost_pico: 210_000_000, mini_cost_pico: 210_000_000, pair_cost_pico: 32_500_000, service_tier: "default", cache_write_tokens: 0 },
    ]);
    expect(await all("SELECT day, cost_pico FROM key_spend")).toEqual([{ day: "2026-03-01", cost_pico: 242_500_000 }]);
    expect(
      await all("SELECT service_tier, cost_pico, mini_cost_pico, shadow_cost_pico, pair_nano_cost_pico, pair_mini_cost_pico, pair_nano_sq, pair_mini_sq, pair_cross FROM rollup WHERE key_id = 'k1'"),
    ).toEqual([
      {
        service_tier: "default",
        cost_pico: 32_500_000,
        mini_cost_pico: 120_000_000,
        shadow_cost_pico: 210_000_000,
        pair_nano_cost_pico: 32_500_000,
        pair_mini_cost_pico: 210_000_000,
        pair_nano_sq: 32_500_000 ** 2,
        pair_mini_sq: 210_000_000 ** 2,
        pair_cross: 32_500_000 * 210_000_000,
      },
    ]);
    // 0015 rebuilt rollup: every row kept, and found by its key.
    expect(await all("SELECT key_id, day, requests, errors, cost_pico FROM rollup WHERE key_id IN ('k1', 'k2') ORDER BY key_id")).toEqual([
      { key_id: "k1", day: "2026-03-01", requests: 1, errors: 0, cost_pico: 32_500_000 },
      { key_id: "k2", day: "2026-03-01", requests: 2, errors: 1, cost_pico: 7 },
    ]);
    // 0014: every rolled day summed over its keys.
    expect(await all("SELECT day, endpoint, model, service_tier, requests, errors, input_tokens, cost_pico, mini_cost_pico, shadow_cost_pico, pair_cross FROM rollup_all")).toEqual([
      {
        day: "2026-03-01",
        endpoint: "intent",
        model: "gpt-5.4-nano",
        service_tier: "default",
        requests: 3,
        errors: 1,
        input_tokens: 150,
        cost_pico: 32_500_007,
        mini_cost_pico: 120_000_009,
        shadow_cost_pico: 210_000_000,
        pair_cross: 32_500_000 * 210_000_000,
      },
    ]);
    expect(await all("SELECT model, tier, effective_from, input_pico, cached_input_pico, output_pico, cache_write_pico FROM prices ORDER BY model, tier")).toEqual([
      { model: "gpt-5.4-mini", tier: "batch", effective_from: 1767225600000, input_pico: 375000, cached_input_pico: 37500, output_pico: 2250000, cache_write_pico: null },
      { model: "gpt-5.4-mini", tier: "default", effective_from: 1767225600000, input_pico: 750000, cached_input_pico: 75000, output_pico: 4500000, cache_write_pico: null },
      { model: "gpt-5.4-mini", tier: "flex", effective_from: 1767225600000, input_pico: 375000, cached_input_pico: 37500, output_pico: 2250000, cache_write_pico: null },
      { model: "gpt-5.4-nano", tier: "batch", effective_from: 1767225600000, input_pico: 100000, cached_input_pico: 10000, output_pico: 625000, cache_write_pico: null },
      { model: "gpt-5.4-nano", tier: "default", effective_from: 1767225600000, input_pico: 200000, cached_input_pico: 20000, output_pico: 1250000, cache_write_pico: null },
      { model: "gpt-5.4-nano", tier: "flex", effective_from: 1767225600000, input_pico: 100000, cached_input_pico: 10000, output_pico: 625000, cache_write_pico: null },
    ]);

    // The rebuilt trigger keeps key_spend in step with new rows, in pico-USD.
    await db
      .prepare(
        `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, input_tokens, cached_tokens, output_tokens,
           reasoning_tokens, cost_pico, mini_cost_pico, latency_ms) VALUES ('r2', 1, 1772366400000, 'k1', 'intent', 'gpt-5.4-nano', 'x', 200, 1, 0, 1, 0, 7, 9, 1)`,
      )
      .run();
    expect(await all("SELECT cost_pico FROM key_spend")).toEqual([{ cost_pico: 242_500_007 }]);

    // 0016: the day has no complete rollup, so its rollup starts from the ledger's sums (k2's row had
    // no ledger row); the shadow row sits in the group of its request's attempt 1.
    await applyD1Migrations(db, upTo("0017"));
    const rollupColumns = "key_id, model, requests, errors, input_tokens, cost_pico, mini_cost_pico, escalations, shadow_requests, shadow_cost_pico, pairs, pair_cross";
    const nano = { key_id: "k1", model: "gpt-5.4-nano", requests: 2, errors: 0, input_tokens: 101, cost_pico: 32_500_007, mini_cost_pico: 120_000_009, escalations: 0 };
    const shadow = { shadow_requests: 1, shadow_cost_pico: 210_000_000, pairs: 1, pair_cross: 32_500_000 * 210_000_000 };
    expect(await all(`SELECT ${rollupColumns} FROM rollup`)).toEqual([{ ...nano, ...shadow }]);

    // From then on each ledger row moves the rollup, and rollup_all with it: an escalated request
    // counts once, in mini's group, its failed nano attempt's error gone with it.
    await db
      .prepare(
        `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, input_tokens, cached_tokens, output_tokens,
           reasoning_tokens, cost_pico, mini_cost_pico, latency_ms) VALUES ('r3', 1, 1772366400000, 'k1', 'intent', 'gpt-5.4-nano', 'x', 422, 10, 0, 1, 0, 3, 4, 1),
           ('r3', 2, 1772366400000, 'k1', 'intent', 'gpt-5.4-mini', 'x', 200, 10, 0, 1, 0, 5, 5, 1)`,
      )
      .run();
    const mini = { key_id: "k1", model: "gpt-5.4-mini", requests: 1, errors: 0, input_tokens: 10, cost_pico: 5, mini_cost_pico: 5, escalations: 1 };
    const noShadow = { shadow_requests: 0, shadow_cost_pico: 0, pairs: 0, pair_cross: 0 };
    expect(await all(`SELECT ${rollupColumns} FROM rollup ORDER BY model`)).toEqual([
      { ...mini, ...noShadow },
      { ...nano, input_tokens: 111, cost_pico: 32_500_010, mini_cost_pico: 120_000_013, ...shadow },
    ]);
    const summedOverKeys = (await all(`SELECT ${rollupColumns.replace("key_id", "'k1' AS key_id")} FROM rollup_all ORDER BY model`));
    expect(summedOverKeys).toEqual(await all(`SELECT ${rollupColumns} FROM rollup ORDER BY model`));

    // 0017: each key's rows summed over tiers (a flex call beside the default ones), then kept by triggers.
    const flex = (requestId: string) =>
      db
        .prepare(
          `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, input_tokens, cached_tokens, output_tokens,
             reasoning_tokens, cost_pico, mini_cost_pico, latency_ms, service_tier) VALUES (?, 1, 1772366400000, 'k1', 'intent', 'gpt-5.4-nano', 'x', 200, 20, 0, 2, 0, 6, 8, 1, 'flex')`,
        )
        .bind(requestId)
        .run();
    await flex("r4");
    await applyD1Migrations(db, upTo("0018"));
    const nanoOverTiers = { ...nano, requests: 3, input_tokens: 131, cost_pico: 32_500_016, mini_cost_pico: 120_000_021, ...shadow };
    expect(await all(`SELECT ${rollupColumns} FROM rollup_all_tiers ORDER BY model`)).toEqual([{ ...mini, ...noShadow }, nanoOverTiers]);
    await flex("r5");
    expect(await all("SELECT requests, input_tokens FROM rollup_all_tiers WHERE model = 'gpt-5.4-nano'")).toEqual([{ requests: 4, input_tokens: 151 }]);
    const { rollup_all, rollup_all_tiers } = await levelsOf(db);
    for (const level of [rollup_all!, rollup_all_tiers!]) expect(level.kept).toEqual(level.summed);
  });
});
