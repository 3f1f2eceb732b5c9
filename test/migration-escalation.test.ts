import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dbFor } from "../workers/db/client";
import { addDays, dayOf, dayStartMs } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { levelsOf } from "./support/levels";

const migrations = env.TEST_MIGRATIONS;
const upTo = (name: string) => migrations.slice(0, migrations.findIndex((m) => m.name.startsWith(name)));
const db = env.MIGRATION_DB;
const all = async (sql: string) => (await db.prepare(sql).all()).results;

const today = dayOf(Date.now());
const [first, second] = [addDays(today, -10), addDays(today, -9)];

/** A ledger row as rows were written before 0018: every attempt projected at mini's prices. */
function row(requestId: string, attempt: number, day: string, model: string, cost: number, mini: number, tags: string | null, endUser: string | null) {
  return db
    .prepare(
      `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, input_tokens, cached_tokens, output_tokens,
         reasoning_tokens, cost_pico, mini_cost_pico, latency_ms, tags, end_user) VALUES (?, ?, ?, 'k1', 'intent', ?, 'x', 200, 10, 0, 1, 0, ?, ?, 1, ?, ?)`,
    )
    .bind(requestId, attempt, dayStartMs(day) + 12 * 3_600_000, model, cost, mini, tags, endUser);
}

const TABLES = {
  rollup: "key_id, day, endpoint, model, service_tier",
  rollup_all: "day, endpoint, model, service_tier",
  rollup_all_tiers: "key_id, day, endpoint, model",
  rollup_tags: "day, tag_name, tag_value, key_id, endpoint, model, service_tier",
  rollup_users: "day, end_user, key_id, endpoint, model, service_tier",
  rollup_user_days: "key_id, end_user, day",
};
const snapshot = async () => Object.fromEntries(await Promise.all(Object.entries(TABLES).map(async ([t, by]) => [t, await all(`SELECT * FROM ${t} ORDER BY ${by}`)])));

describe("migration 0018: an escalated request's mini projection is its mini attempt alone, in history too", () => {
  it("sets the moot attempts' projection to 0 and takes it off every rollup exactly as the daily check would sum it", async () => {
    await applyD1Migrations(db, upTo("0018"));
    const [nano, mini] = ["gpt-5.4-nano", "gpt-5.4-mini"];
    await db.batch([
      row("r1", 1, first, nano, 10, 40, '{"feature":"a"}', "u1"),
      row("r1", 2, first, mini, 50, 50, '{"feature":"a"}', "u1"),
      row("r2", 1, first, nano, 7, 30, '{"team":"x"}', null),
      row("r3", 1, first, nano, 3, 12, null, null),
      row("r3", 2, first, mini, 20, 20, null, null),
      row("r4", 1, second, nano, 5, 25, '{"feature":"b","team":"y"}', "u2"),
      row("r4", 2, second, mini, 30, 30, '{"feature":"b","team":"y"}', "u2"),
      row("r5", 1, second, mini, 9, 9, null, "u2"),
    ]);
    // Both days checked after they ended: their attribution rollups written, the days complete.
    for (const day of [first, second]) await rollDay(dbFor(db), day, dayStartMs(day) + 86_400_000 + 15 * 60_000, 90);

    await applyD1Migrations(db, migrations);

    expect(await all("SELECT request_id, attempt, mini_cost_pico FROM ledger ORDER BY request_id, attempt")).toEqual([
      { request_id: "r1", attempt: 1, mini_cost_pico: 0 },
      { request_id: "r1", attempt: 2, mini_cost_pico: 50 },
      { request_id: "r2", attempt: 1, mini_cost_pico: 30 },
      { request_id: "r3", attempt: 1, mini_cost_pico: 0 },
      { request_id: "r3", attempt: 2, mini_cost_pico: 20 },
      { request_id: "r4", attempt: 1, mini_cost_pico: 0 },
      { request_id: "r4", attempt: 2, mini_cost_pico: 30 },
      { request_id: "r5", attempt: 1, mini_cost_pico: 9 },
    ]);
    expect(await all("SELECT day, model, cost_pico, mini_cost_pico FROM rollup ORDER BY day, model")).toEqual([
      { day: first, model: mini, cost_pico: 70, mini_cost_pico: 70 },
      { day: first, model: nano, cost_pico: 20, mini_cost_pico: 30 },
      { day: second, model: mini, cost_pico: 39, mini_cost_pico: 39 },
      { day: second, model: nano, cost_pico: 5, mini_cost_pico: 0 },
    ]);
    const { rollup_all, rollup_all_tiers } = await levelsOf(db);
    for (const level of [rollup_all!, rollup_all_tiers!]) expect(level.kept).toEqual(level.summed);
    expect(await all("SELECT day, tag_name, tag_value, model, mini_cost_pico FROM rollup_tags WHERE model = 'gpt-5.4-nano' ORDER BY day, tag_name, tag_value")).toEqual([
      { day: first, tag_name: "feature", tag_value: "", model: nano, mini_cost_pico: 30 },
      { day: first, tag_name: "feature", tag_value: "a", model: nano, mini_cost_pico: 0 },
      { day: first, tag_name: "team", tag_value: "", model: nano, mini_cost_pico: 0 },
      { day: first, tag_name: "team", tag_value: "x", model: nano, mini_cost_pico: 30 },
      { day: second, tag_name: "feature", tag_value: "b", model: nano, mini_cost_pico: 0 },
      { day: second, tag_name: "team", tag_value: "y", model: nano, mini_cost_pico: 0 },
    ]);

    // Checked again from the ledger, every rollup is what the migration left: nothing to mend, nothing rebuilt otherwise.
    const migrated = await snapshot();
    for (const day of [first, second]) {
      expect((await rollDay(dbFor(db), day, dayStartMs(day) + 2 * 86_400_000, 90)).repaired).toBe(0);
    }
    expect(await snapshot()).toEqual(migrated);
  });
});
