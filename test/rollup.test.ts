import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { asc, between, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rollup, rollupDays } from "../workers/db/schema";
import worker from "../workers/index";
import { liveCache, rolledCache } from "../workers/spend/cache";
import { retentionDays, ROLL_DAYS, rollDay } from "../workers/spend/rollup";
import { addMissedPrefix, chunkSums } from "../workers/spend/rollup-check";
import { type Group, liveSpend, rolledSpend, sources, type SpendQuery } from "../workers/spend/spend";
import { mergedSpendQuery } from "../workers/spend/spend-sql";
import { at, db, exactly, NO_SHADOW, seed, sums } from "./support/ledger";

const DAY = 86_400_000;
const RETENTION = 90;
const rowsOf = (day: string) =>
  db().select().from(rollup).where(eq(rollup.day, day)).orderBy(asc(rollup.keyId), asc(rollup.endpoint), asc(rollup.model));
const ledgerTotal = async (from: number, to: number) =>
  env.DB.prepare("SELECT count(*) AS n, sum(cost_pico) AS cost, sum(mini_cost_pico) AS mini FROM ledger WHERE time >= ? AND time < ?")
    .bind(from, to)
    .first<{ n: number; cost: number | null; mini: number | null }>();

describe("rollup of a day", () => {
  it("sums per key × endpoint × model × tier, each request once at its last attempt, to the pico-dollar", async () => {
    const day = "2026-04-10";
    const retried = [
      ...(await seed([{ time: at(day, 1), keyId: "kA", requestId: "r1", attempt: 1 }])),
      ...(await seed([{ time: at(day, 1), keyId: "kA", requestId: "r1", attempt: 2, status: 502, usage: { inputTokens: 2000, cachedTokens: 1024, outputTokens: 50, reasoningTokens: 20 } }])),
    ];
    const cached = await seed([{ time: at(day, 2), keyId: "kA", usage: { inputTokens: 1500, cachedTokens: 1024, outputTokens: 80, reasoningTokens: 64 } }]);
    const mini = await seed([{ time: at(day, 3), keyId: "kA", endpoint: "extract", model: "gpt-5.4-mini" }]);
    const failed = await seed([{ time: at(day, 4), keyId: "kB", status: 422 }]);
    const escalated = [
      ...(await seed([{ time: at(day, 5), keyId: "kB", endpoint: "route", requestId: "r5", attempt: 1 }])),
      ...(await seed([{ time: at(day, 5), keyId: "kB", endpoint: "route", requestId: "r5", attempt: 2, model: "gpt-5.4-mini" }])),
    ];
    const group = (keyId: string, endpoint: string, model: string, requests: number, errors: number, rows: typeof mini, more = {}) => ({
      day, keyId, endpoint, model, serviceTier: "default", requests, errors, ...sums(rows), ...NO_SHADOW, prefixTokens: 0, prefixMissedTokens: 0, ...more,
    });

    const rolled = await rollDay(db(), day, at(day, 24, 15), RETENTION);

    expect(await rowsOf(day)).toEqual([
      group("kA", "extract", "gpt-5.4-mini", 1, 0, mini),
      // The largest cached prefix seen is 1024 tokens: r1's first attempt billed all 1000 of its input uncached.
      group("kA", "intent", "gpt-5.4-nano", 2, 1, [...retried, ...cached], { prefixTokens: 1024, prefixMissedTokens: 1000 }),
      group("kB", "intent", "gpt-5.4-nano", 1, 1, failed),
      group("kB", "route", "gpt-5.4-mini", 1, 0, escalated.slice(1), { escalations: 1 }),
      group("kB", "route", "gpt-5.4-nano", 0, 0, escalated.slice(0, 1)),
    ]);
    const all = [...retried, ...cached, ...mini, ...failed, ...escalated];
    expect(rolled).toMatchObject({ day, complete: true, groups: 5, totals: { requests: 5, errors: 2, ...exactly(sums(all)) } });
    const ledger = await ledgerTotal(Date.parse(day), Date.parse(day) + DAY);
    expect([rolled.totals.costPico, rolled.totals.miniCostPico]).toEqual([BigInt(ledger!.cost!), BigInt(ledger!.mini!)]);
  });

  it("puts a row at 23:59:59.999 UTC in its own day and one at 00:00:00.000 in the next", async () => {
    const [last] = await seed([{ time: Date.UTC(2026, 3, 30, 23, 59, 59, 999), keyId: "kA", usage: { outputTokens: 7 } }]);
    const [first] = await seed([{ time: Date.UTC(2026, 4, 1), keyId: "kA", usage: { outputTokens: 9 } }]);
    const now = Date.UTC(2026, 4, 2, 0, 15);
    expect((await rollDay(db(), "2026-04-30", now, RETENTION)).totals).toMatchObject({ requests: 1, costPico: BigInt(last!.costPico) });
    expect((await rollDay(db(), "2026-05-01", now, RETENTION)).totals).toMatchObject({ requests: 1, costPico: BigInt(first!.costPico) });
  });

  it("gives the same rows when run again; a late row counts as it is written, and the next check finds it right", async () => {
    const day = "2026-06-15";
    const early = await seed([{ time: at(day, 9), keyId: "kA" }, { time: at(day, 10), keyId: "kB", endpoint: "rerank" }]);
    await rollDay(db(), day, at(day, 24, 15), RETENTION);
    const once = await rowsOf(day);
    const again = await rollDay(db(), day, at(day, 48, 15), RETENTION);
    expect(await rowsOf(day)).toEqual(once);
    expect(again).toMatchObject({ repaired: 0, totals: { requests: 2, ...exactly(sums(early)) } });

    const late = await seed([{ time: at(day, 23, 59), keyId: "kA", usage: { inputTokens: 333 } }]);
    const kept = await rowsOf(day);
    expect(kept.map((r) => r.inputTokens)).toEqual([once[0]!.inputTokens + 333, once[1]!.inputTokens]);
    const rerolled = await rollDay(db(), day, at(day, 72, 15), RETENTION);
    expect(rerolled).toMatchObject({ repaired: 0, totals: { requests: 3, ...exactly(sums([...early, ...late])) } });
    expect(await rowsOf(day)).toEqual(kept);
    const [rolledDay] = await db().select().from(rollupDays).where(eq(rollupDays.day, day));
    expect(rolledDay?.rolledAt).toBe(at(day, 72, 15));
  });

  it("marks a day rolled before it ended as incomplete", async () => {
    const day = "2026-07-01";
    await seed([{ time: at(day, 1), keyId: "kA" }]);
    expect((await rollDay(db(), day, at(day, 2), RETENTION)).complete).toBe(false);
    expect((await rollDay(db(), day, at(day, 24), RETENTION)).complete).toBe(true);
  });
});

describe("scheduled()", () => {
  it("rolls yesterday and the three days before it, and no other day", async () => {
    const scheduledTime = Date.UTC(2026, 2, 1, 0, 15);
    const days = ["2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01"];
    const seeded = new Map<string, Awaited<ReturnType<typeof seed>>>();
    for (const day of days) seeded.set(day, await seed([{ time: at(day, 6), keyId: "kA" }, { time: at(day, 18), keyId: "kB" }]));

    await worker.scheduled(createScheduledController({ scheduledTime, cron: "15 0 * * *" }), env);

    const rolled = await db().select().from(rollupDays).where(between(rollupDays.day, days[0]!, days[6]!)).orderBy(asc(rollupDays.day));
    expect(rolled).toEqual(["2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28"].map((day) => ({ day, rolledAt: scheduledTime })));
    for (const day of ["2026-02-25", "2026-02-28"]) {
      const [a, b] = seeded.get(day)!;
      const rows = await rowsOf(day);
      expect(rows.map((r) => [r.keyId, r.requests, r.costPico])).toEqual([["kA", 1, a?.costPico], ["kB", 1, b?.costPico]]);
    }
  });
});

describe("retention", () => {
  it("deletes ledger rows older than RETENTION_DAYS (90), only of days whose rollup is complete", async () => {
    const scheduledTime = Date.UTC(2026, 6, 1, 0, 15); // 90 days before 2026-07-01 is 2026-04-02
    const [rolledOld, unrolledOld, rolledKept, incompleteOld] = ["2026-03-31", "2026-04-01", "2026-04-02", "2026-03-20"];
    for (const day of [rolledOld, unrolledOld, rolledKept, incompleteOld]) await seed([{ time: at(day), keyId: "kR" }]);
    for (const day of [rolledOld, rolledKept]) await rollDay(db(), day, at(day, 24, 15), RETENTION);
    await rollDay(db(), incompleteOld, at(incompleteOld, 13), RETENTION);
    const rollupBefore = await rowsOf(rolledOld);

    await worker.scheduled(createScheduledController({ scheduledTime, cron: "15 0 * * *" }), env);

    const left = async (day: string) => (await ledgerTotal(Date.parse(day), Date.parse(day) + DAY))?.n;
    expect([await left(rolledOld), await left(unrolledOld), await left(rolledKept), await left(incompleteOld)]).toEqual([0, 1, 1, 1]);
    const spendDays = await env.DB.prepare("SELECT day FROM key_spend WHERE key_id = 'kR' ORDER BY day").all<{ day: string }>();
    expect(spendDays.results.map((r) => r.day)).toEqual([rolledKept]);
    expect(await rowsOf(rolledOld)).toEqual(rollupBefore);
    await expect(rollDay(db(), rolledOld, scheduledTime, RETENTION)).rejects.toMatchObject({ status: 400, field: "day" });
    expect((await rollDay(db(), unrolledOld, scheduledTime, RETENTION)).totals.requests).toBe(1);
  });

  it("reads RETENTION_DAYS, never shorter than the days the cron re-rolls", () => {
    expect(retentionDays(env)).toBe(90);
    expect(retentionDays({ ...env, RETENTION_DAYS: "30" })).toBe(30);
    expect(retentionDays({ ...env, RETENTION_DAYS: "1" })).toBe(ROLL_DAYS);
  });
});

describe("indexes (EXPLAIN QUERY PLAN)", () => {
  /** The query's plan, which scans no table (`subquery`: the scans of its own subqueries' rows, allowed). */
  const plan = async (query: { toSQL(): { sql: string; params: unknown[] } }, subquery?: RegExp) => {
    const { sql, params } = query.toSQL();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    const details = results.map((r) => r.detail);
    expect(details.filter((d) => d.startsWith("SCAN ") && !subquery?.test(d))).toEqual([]);
    return details;
  };
  const year: SpendQuery = { from: "2025-11-26", to: "2026-11-25", groupBy: ["day", "endpoint"], keyId: undefined };
  const search = (pattern: RegExp) => expect.arrayContaining([expect.stringMatching(pattern)]);

  it("checks a day's chunks through ledger_time, finding later attempts through ledger_request_attempt, prefixes by join", async () => {
    const chunk: [number, number] = [Date.UTC(2026, 3, 10), Date.UTC(2026, 3, 10, 6)];
    const details = await plan(chunkSums(db(), chunk, 1000));
    expect(details).toEqual(search(/^SEARCH ledger USING INDEX ledger_time \(time>\? AND time<\?\)/));
    expect(details).toEqual(search(/^SEARCH later USING (COVERING )?INDEX ledger_request_attempt/));
    const missed = await plan(addMissedPrefix(db(), "2026-04-10", chunk, 1000));
    expect(missed).toEqual(search(/^SEARCH ledger USING INDEX ledger_time \(time>\? AND time<\?\)/));
    expect(missed).toEqual(search(/^SEARCH rollup USING INDEX rollup_day \(day=\?\)/));
  });

  it("reads a year of rollups by day (admin) or by key and day, never scanning a table", async () => {
    expect(await plan(rolledSpend(db(), year))).toEqual(search(/^SEARCH rollup USING INDEX rollup_day \(day/));
    // The table's own order (WITHOUT ROWID, migration 0015): one key's year is one range of it, no row
    // looked up apart. A rowid table, or Drizzle rebuilding it without WITHOUT ROWID, says "USING INDEX".
    const oneKey = (table: string) => search(new RegExp(`^SEARCH ${table} USING PRIMARY KEY \\(key_id=\\? AND day`));
    expect(await plan(rolledSpend(db(), { ...year, keyId: "kA" }))).toEqual(oneKey("rollup"));
    // One key's spend reads its rows summed over tiers (migration 0017), unless grouped by tier.
    for (const groupBy of [["day"], [], ["day", "tier"], ["tier"]] as Group[][]) {
      const { read, strataIn, sources: parts } = sources(db(), { ...year, groupBy, keyId: "kA" }, []);
      const table = groupBy.includes("tier") ? "rollup" : "rollup_all_tiers";
      expect(await plan(mergedSpendQuery(db(), parts, read.groupBy, groupBy, strataIn), /^SCAN (strata|parts)$/)).toEqual(oneKey(table));
    }
    const today: [number, number][] = [[Date.UTC(2026, 10, 26), Date.UTC(2026, 10, 27)]];
    expect(await plan(liveSpend(db(), year, today))).toEqual(search(/^SEARCH ledger USING INDEX ledger_time /));
    expect(await plan(liveSpend(db(), { ...year, keyId: "kA" }, today))).toEqual(
      search(/^SEARCH ledger USING INDEX ledger_key_time \(key_id=\? AND time/),
    );
  });

  it("reads prompt-cache figures the same ways, joining each live row to its group's prefix", async () => {
    expect(await plan(rolledCache(db(), { ...year, keyId: undefined }))).toEqual(search(/^SEARCH rollup USING INDEX rollup_day \(day/));
    expect(await plan(rolledCache(db(), { ...year, keyId: "kA" }))).toEqual(search(/^SEARCH rollup USING PRIMARY KEY \(key_id=\? AND day/));
    const today: [number, number][] = [[Date.UTC(2026, 10, 26), Date.UTC(2026, 10, 27)]];
    const live = await plan(liveCache(db(), "kA", today));
    expect(live).toEqual(search(/^SEARCH ledger USING INDEX ledger_key_time \(key_id=\? AND time/));
    expect(live).toEqual(search(/^SEARCH prefixes USING AUTOMATIC COVERING INDEX/));
    expect(await plan(liveCache(db(), undefined, today))).toEqual(search(/^SEARCH ledger USING INDEX ledger_time /));
  });
});
