import { env } from "cloudflare:workers";
import { asc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ledger, rollup, rollupTags, rollupUsers } from "../workers/db/schema";
import { rollDay } from "../workers/spend/rollup";
import { chunkSums, dayChunks, differences, keptRows, mend, mergeGroups } from "../workers/spend/rollup-check";
import { at, db, seed } from "./support/ledger";
import { levelsOf } from "./support/levels";

const RETENTION = 36_500;
const rowsOf = (day: string) =>
  db().select().from(rollup).where(eq(rollup.day, day)).orderBy(asc(rollup.keyId), asc(rollup.endpoint), asc(rollup.model), asc(rollup.serviceTier));
/** What the triggers keep: every column but prefix_missed_tokens, which needs the whole day (the check writes it). */
const keptOf = async (day: string) => (await rowsOf(day)).map(({ prefixMissedTokens: _, ...row }) => row);
/** Each level the triggers keep beside rollup equals rollup summed into its groups (support/levels.ts). */
const expectLevelsFollow = async (day: string, skipZero = false) => {
  const levels = await levelsOf(env.DB, day, skipZero);
  expect(Object.keys(levels)).toEqual(["rollup_all", "rollup_all_tiers"]);
  for (const { kept, summed } of Object.values(levels)) {
    expect(summed.length).toBeGreaterThan(0);
    expect(kept).toEqual(summed);
  }
};

/** A day with what moves rows between groups: a retry, an escalation, shadow pairs, tiers, tags and end users. */
async function busyDay(day: string) {
  await seed([{ time: at(day, 1), keyId: "kA", requestId: `${day}-r1`, attempt: 2, status: 502, usage: { inputTokens: 2000, cachedTokens: 1024 } }]);
  // Attempt 1 written after attempt 2 (two writers): the request still counts once, at attempt 2.
  await seed([{ time: at(day, 1), keyId: "kA", requestId: `${day}-r1`, attempt: 1, usage: { inputTokens: 1800, cachedTokens: 1536 } }]);
  await seed([
    { time: at(day, 2), keyId: "kA", tags: { feature: "search" }, endUser: "u1", usage: { inputTokens: 1500, cachedTokens: 1024 } },
    { time: at(day, 3), keyId: "kB", endpoint: "route", requestId: `${day}-r3`, attempt: 1, status: 422, tier: "flex" },
    { time: at(day, 3), keyId: "kB", endpoint: "route", requestId: `${day}-r3`, attempt: 2, model: "gpt-5.4-mini", tier: "flex", tags: { feature: "chat" } },
    { time: at(day, 4), keyId: "kB", requestId: `${day}-r4`, endUser: "u2" },
  ]);
  await seed([{ time: at(day, 4, 1), keyId: "kB", requestId: `${day}-r4`, attempt: 2, model: "gpt-5.4-mini", shadow: { agreement: 1, pairCostPico: 300_000_000 } }]);
  await seed([{ time: at(day, 5), keyId: "kA", endpoint: "extract", tier: "batch", status: 500 }]);
}

afterEach(() => vi.restoreAllMocks());

describe("the rollup kept by the ledger's triggers, and the daily check (SPEC: Scale)", () => {
  it("is, row by row, what the check sums the day's ledger to: the check finds nothing to mend", async () => {
    const day = "2026-09-01";
    await busyDay(day);
    await expectLevelsFollow(day);
    const kept = await keptOf(day);
    expect(kept.map((r) => [r.keyId, r.endpoint, r.model, r.serviceTier, r.requests, r.errors])).toEqual([
      ["kA", "extract", "gpt-5.4-nano", "batch", 1, 1],
      ["kA", "intent", "gpt-5.4-nano", "default", 2, 1],
      ["kB", "intent", "gpt-5.4-nano", "default", 1, 0],
      ["kB", "route", "gpt-5.4-mini", "flex", 1, 0],
      ["kB", "route", "gpt-5.4-nano", "flex", 0, 0],
    ]);
    expect(kept.find((r) => r.keyId === "kB" && r.endpoint === "intent")).toMatchObject({ shadowRequests: 1, pairs: 1, agreed: 1, pairNanoCostPico: 300_000_000 });
    expect(kept.find((r) => r.keyId === "kA" && r.endpoint === "intent")).toMatchObject({ prefixTokens: 1536, inputTokens: 5300 });

    const checked = await rollDay(db(), day, at(day, 24, 15), RETENTION);
    expect(checked.repaired).toBe(0);
    expect(await keptOf(day)).toEqual(kept);
    // The prefix the whole day shows (1536 cached) billed uncached, min(input − cached, prefix − cached): 512 + 0 + 476.
    expect((await rowsOf(day)).find((r) => r.keyId === "kA" && r.endpoint === "intent")?.prefixMissedTokens).toBe(988);
    await expectLevelsFollow(day);
  });

  it("reads the day in chunks of at most the given rows, which tile the day, and sums it the same in any chunking", async () => {
    const day = "2026-09-02";
    await busyDay(day);
    const chunks = await dayChunks(db(), day, 2);
    expect(chunks.length).toBe(5);
    expect(chunks[0]![0]).toBe(at(day, 0));
    expect(chunks.at(-1)![1]).toBe(at(day, 24));
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]![0]).toBe(chunks[i - 1]![1]);

    await rollDay(db(), day, at(day, 24, 15), RETENTION);
    const whole = { rollup: await rowsOf(day), tags: await db().select().from(rollupTags), users: await db().select().from(rollupUsers) };
    expect(whole.tags.length).toBeGreaterThan(0);
    expect(whole.users.length).toBeGreaterThan(0);
    const inTwos = await rollDay(db(), day, at(day, 24, 30), RETENTION, 2);
    expect(inTwos).toMatchObject({ chunks: 5, repaired: 0 });
    expect({ rollup: await rowsOf(day), tags: await db().select().from(rollupTags), users: await db().select().from(rollupUsers) }).toEqual(whole);
  });

  it("mends a damaged rollup (a wrong sum, a lost group, a stray group), logs each mend, and the levels kept beside it follow", async () => {
    const day = "2026-09-03";
    await busyDay(day);
    const kept = await keptOf(day);
    await env.DB.batch([
      env.DB.prepare("UPDATE rollup SET requests = requests + 5, cost_pico = cost_pico - 7 WHERE day = ? AND key_id = 'kA' AND endpoint = 'intent'").bind(day),
      env.DB.prepare("DELETE FROM rollup WHERE day = ? AND key_id = 'kA' AND endpoint = 'extract'").bind(day),
      env.DB.prepare(
        "INSERT INTO rollup (day, key_id, endpoint, model, service_tier, requests, errors, input_tokens, cached_tokens, output_tokens, reasoning_tokens, cost_pico, mini_cost_pico) VALUES (?, 'kC', 'intent', 'gpt-5.4-nano', 'default', 3, 0, 9, 0, 0, 0, 11, 13)",
      ).bind(day),
    ]);
    // The levels follow the damage too (update, insert, delete), until the check mends it.
    await expectLevelsFollow(day, true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect((await rollDay(db(), day, at(day, 24, 15), RETENTION)).repaired).toBe(3);
    expect(await keptOf(day)).toEqual(kept);
    const logged = warn.mock.calls.map(([message, detail]) => [message, JSON.parse(String(detail))]);
    expect(logged).toEqual(
      expect.arrayContaining([
        ["rollup repaired", expect.objectContaining({ day, keyId: "kA", endpoint: "intent", columns: { requests: { kept: "7", ledger: "2" }, cost_pico: expect.any(Object) } })],
        ["rollup repaired", expect.objectContaining({ keyId: "kA", endpoint: "extract", columns: expect.objectContaining({ requests: { kept: "0", ledger: "1" } }) })],
        ["rollup repaired", expect.objectContaining({ keyId: "kC", columns: expect.objectContaining({ requests: { kept: "3", ledger: "0" } }) })],
      ]),
    );
    await expectLevelsFollow(day);
  });

  it("regroups a shadow row written before its request's attempt 1 (the queue delivers out of order)", async () => {
    const day = "2026-09-04";
    await seed([{ time: at(day, 6), keyId: "kA", requestId: "early-shadow", attempt: 2, model: "gpt-5.4-mini", shadow: { agreement: 0, pairCostPico: 250_000_000 } }]);
    await seed([{ time: at(day, 6), keyId: "kA", requestId: "early-shadow", attempt: 1 }]);
    expect((await rowsOf(day)).map((r) => [r.model, r.requests, r.shadowRequests])).toEqual([
      ["gpt-5.4-mini", 0, 1],
      ["gpt-5.4-nano", 1, 0],
    ]);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect((await rollDay(db(), day, at(day, 24, 15), RETENTION)).repaired).toBe(2);
    expect((await rowsOf(day)).map((r) => [r.model, r.requests, r.shadowRequests, r.judged, r.agreed])).toEqual([["gpt-5.4-nano", 1, 1, 1, 0]]);
  });

  it("mends by delta: a row written between the check's snapshot and its mend still counts", async () => {
    const day = "2026-09-05";
    await busyDay(day);
    await env.DB.prepare("UPDATE rollup SET input_tokens = input_tokens + 40 WHERE day = ? AND key_id = 'kB' AND endpoint = 'route' AND model = 'gpt-5.4-mini'").bind(day).run();
    // The check's snapshot: the ledger's last id and the kept rows, in one transaction.
    const [[top], kept] = await db().batch([db().select({ upTo: sql<number>`max(${ledger.id})` }).from(ledger), keptRows(db(), day)]);
    const upTo = top!.upTo;
    const summed = mergeGroups(new Map(), await chunkSums(db(), [at(day, 0), at(day, 24)], upTo));
    const found = differences(mergeGroups(new Map(), kept), summed);
    expect(found.map((d) => d.columns)).toEqual([{ input_tokens: { kept: "1040", ledger: "1000" } }]);
    // Meanwhile, a late row of the same group.
    await seed([{ time: at(day, 3, 30), keyId: "kB", endpoint: "route", model: "gpt-5.4-mini", tier: "flex", usage: { inputTokens: 7 } }]);
    await db().batch([mend(db(), day, found[0]!)]);
    const [group] = (await rowsOf(day)).filter((r) => r.keyId === "kB" && r.endpoint === "route" && r.model === "gpt-5.4-mini");
    expect(group?.inputTokens).toBe(1000 + 7);
    expect(group?.requests).toBe(2);
  });
});
