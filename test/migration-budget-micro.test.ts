import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const migrations = env.TEST_MIGRATIONS;
const upTo = (name: string) => migrations.slice(0, migrations.findIndex((m) => m.name.startsWith(name)));
const db = env.MIGRATION_DB;

describe("migration 0020 (budgets in micro-USD) on keys with budgets", () => {
  it("keeps every budget, and puts back to the micro-dollar those stored rounded through a double", async () => {
    await applyD1Migrations(db, upTo("0020"));
    const key = (id: string, daily: string | null, monthly: string | null) =>
      db
        .prepare(`INSERT INTO api_keys (id, name, key_hash, key_prefix, created_at, daily_budget_pico, monthly_budget_pico) VALUES (?, 'k', ?, 'nm_', 1, ${daily}, ${monthly})`)
        .bind(id, `h_${id}`);
    await db.batch([
      key("small", "1500000000000", null),
      // Number(999999999999000000n) and Number(999999999997000000n): 64 pico-USD above and below.
      key("rounded", "999999999999000064", "999999999996999936"),
      key("none", null, null),
    ]);
    await applyD1Migrations(db, migrations);
    const rows = (await db.prepare("SELECT id, daily_budget_micro, monthly_budget_micro FROM api_keys ORDER BY id").all()).results;
    expect(rows).toEqual([
      { id: "none", daily_budget_micro: null, monthly_budget_micro: null },
      { id: "rounded", daily_budget_micro: 999_999_999_999, monthly_budget_micro: 999_999_999_997 },
      { id: "small", daily_budget_micro: 1_500_000, monthly_budget_micro: null },
    ]);
  });
});
