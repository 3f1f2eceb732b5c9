import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { NewLedgerRow } from "../workers/db/schema";
import { dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db, type Seed, seed } from "./support/ledger";
import { call, createKey, json } from "./support/worker";

const days = ["2026-07-20", "2026-07-21", "2026-07-22"];
const today = dayOf(Date.now());
const roll = (day: string) => rollDay(db(), day, at(day, 24, 15), 36_500);

/** A call costing about `units` × 1.25 µ$ (output tokens), for an end user. */
const spent = (time: number, keyId: string, endUser: string | undefined, units: number, more: Partial<Seed> = {}): Seed => ({
  time,
  keyId,
  endUser,
  usage: { inputTokens: 100 + units, outputTokens: units },
  ...more,
});

/** GET /v1/spend/users as it should answer: per key × end user, costliest first, then by key and name. */
function expectedUsers(rows: NewLedgerRow[], limit: number) {
  const users = new Map<string, NewLedgerRow[]>();
  for (const r of rows.filter((r) => r.endUser)) users.set(JSON.stringify([r.keyId, r.endUser]), [...(users.get(JSON.stringify([r.keyId, r.endUser]))) ?? [], r]);
  const sum = (rs: NewLedgerRow[], f: (r: NewLedgerRow) => number) => rs.reduce((s, r) => s + f(r), 0);
  return [...users.entries()]
    .map(([k, rs]) => {
      const [keyId, endUser] = JSON.parse(k) as [string, string];
      const [cost, mini] = [sum(rs, (r) => r.costPico), sum(rs, (r) => r.miniCostPico)];
      return {
        key_id: keyId,
        end_user: endUser,
        requests: rs.length,
        errors: rs.filter((r) => r.status! >= 400).length,
        input_tokens: sum(rs, (r) => r.inputTokens),
        cached_tokens: sum(rs, (r) => r.cachedTokens),
        cache_write_tokens: sum(rs, (r) => r.cacheWriteTokens ?? 0),
        output_tokens: sum(rs, (r) => r.outputTokens),
        reasoning_tokens: sum(rs, (r) => r.reasoningTokens),
        cost_usd: cost / 1e12,
        mini_cost_usd: mini / 1e12,
        saved_usd: (mini - cost) / 1e12,
        cost,
      };
    })
    .sort((a, b) => b.cost - a.cost || (a.key_id < b.key_id ? -1 : a.key_id > b.key_id ? 1 : a.end_user < b.end_user ? -1 : 1))
    .slice(0, limit)
    .map(({ cost: _, ...row }) => row);
}

describe("GET /v1/spend/users", () => {
  it("answers the costliest end users exactly, even one never at the top of a day, rolled and live", async () => {
    const [k, other] = ["kU1", "kU2"];
    const rows: NewLedgerRow[] = [];
    for (const [i, day] of days.entries()) {
      // Each day: a spike, a runner-up, then `steady` third; over the three days `steady` costs the most.
      rows.push(...(await seed([spent(at(day, 1), k, `spike${i}`, 1000), spent(at(day, 2), k, `runner${i}`, 600), spent(at(day, 3), k, "steady", 500)])));
      rows.push(...(await seed(Array.from({ length: 6 }, (_, n) => spent(at(day, 4, n), k, `small${n}`, 10 + n)))));
      rows.push(...(await seed([spent(at(day, 5), k, undefined, 2000), spent(at(day, 6), other, "steady", 900)])));
    }
    rows.push(...(await seed([spent(Date.now(), k, "newcomer", 1400), spent(Date.now(), k, "runner0", 1, { status: 502 })])));
    const range = `from=${days[0]}&to=${today}`;
    const users = async (query: string, token?: string) => {
      const res = await call(`/v1/spend/users?${range}&${query}`, { token });
      expect(res.status).toBe(200);
      return (await json(res)).rows;
    };
    const check = async () => {
      expect(await users(`key_id=${k}&limit=2`)).toEqual(expectedUsers(rows.filter((r) => r.keyId === k), 2));
      expect(await users(`key_id=${k}&limit=1000`)).toEqual(expectedUsers(rows.filter((r) => r.keyId === k), 1000));
      const everyone = (await users("limit=1000")).filter((u: { key_id: string }) => [k, other].includes(u.key_id));
      expect(everyone).toEqual(expectedUsers(rows, 1000));
    };
    await check();
    for (const day of days) await roll(day);
    await check();
    // `steady` is never among a day's two costliest, nor called today: only a deeper read finds it.
    expect((await users(`key_id=${k}&limit=3`)).map((u: { end_user: string }) => u.end_user)).toEqual(["steady", "newcomer", "spike0"]);

    const csv = await call(`/v1/spend/users?${range}&key_id=${k}&limit=3&format=csv`);
    const records = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.end_user, r.cost_usd])).toEqual(expectedUsers(rows.filter((r) => r.keyId === k), 3).map((u) => [u.end_user, u.cost_usd.toFixed(12)]));
  });

  it("shows a key only its own end users, and refuses a bad limit", async () => {
    const [a, b] = [await createKey({ name: "users-a" }), await createKey({ name: "users-b" })];
    await seed([spent(Date.now(), a.id, "mine", 10), spent(Date.now(), b.id, "theirs", 10)]);
    const res = await call("/v1/spend/users", { token: a.key });
    expect((await json(res)).rows.map((u: { end_user: string }) => u.end_user)).toEqual(["mine"]);
    expect((await call(`/v1/spend/users?key_id=${b.id}`, { token: a.key })).status).toBe(403);
    for (const limit of ["0", "1001", "x"]) expect((await json(await call(`/v1/spend/users?limit=${limit}`))).error.field).toBe("limit");
  });
});

describe("GET /v1/spend/requests by tag, end user and batch", () => {
  it("keeps the rows that match, newest first, across pages", async () => {
    const k = "kR1";
    const rows = await seed([
      spent(at(days[0]!, 1), k, "ana", 10, { tags: { feature: "search" } }),
      spent(at(days[0]!, 2), k, "bo", 10, { tags: { feature: "search", team: "core" }, batchId: "batch_1" }),
      spent(at(days[0]!, 3), k, "ana", 10, { tags: { feature: "chat" }, batchId: "batch_1" }),
      spent(at(days[0]!, 4), k, undefined, 10, { tags: { feature: "search" } }),
    ]);
    const ids = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const body: { data: { request_id: string }[]; next_cursor: string | null } = await json(await call(`/v1/spend/requests?key_id=${k}&limit=1&${query}${cursor ? `&cursor=${cursor}` : ""}`));
        seen.push(...body.data.map((r) => r.request_id));
        cursor = body.next_cursor;
      }
      return seen;
    };
    const newest = (keep: (r: NewLedgerRow) => boolean) => rows.filter(keep).map((r) => r.requestId).reverse();
    expect(await ids("tag=feature:search")).toEqual(newest((r) => r.tags?.includes('"feature":"search"') ?? false));
    expect(await ids("user=ana")).toEqual(newest((r) => r.endUser === "ana"));
    expect(await ids("batch_id=batch_1&tag=team:core")).toEqual([rows[1]!.requestId]);
    const [row] = (await json(await call(`/v1/spend/requests?key_id=${k}&request_id=${rows[1]!.requestId}`))).data;
    expect(row).toMatchObject({ tags: { feature: "search", team: "core" }, end_user: "bo", batch_id: "batch_1" });
    expect((await json(await call("/v1/spend/requests?tag=feature"))).error.field).toBe("tag");
  });
});
