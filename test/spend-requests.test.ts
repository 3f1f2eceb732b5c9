import { describe, expect, it } from "vitest";
import { addDays, dayOf } from "../workers/spend/days";
import { call, createKey, json } from "./support/worker";

async function intentCalls(key: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await json(await call("/v1/intent", { token: key, body: { text: `message ${i}` } }))).id);
  }
  return ids;
}

describe("GET /v1/spend/requests", () => {
  it("pages through a key's rows newest first with limit and cursor, each row once", async () => {
    const { key } = await createKey();
    const ids = await intentCalls(key, 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { request_id: string }[]; next_cursor: string | null } = await json(
        await call(`/v1/spend/requests?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token: key }),
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((r) => r.request_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("shows a key only its own rows; the admin sees all and may filter by key", async () => {
    const a = await createKey();
    const b = await createKey();
    const [idA] = await intentCalls(a.key, 1);
    const [idB] = await intentCalls(b.key, 1);
    const seenByA = await json(await call("/v1/spend/requests", { token: a.key }));
    expect(seenByA.data.map((r: { request_id: string }) => r.request_id)).toEqual([idA]);
    expect((await call(`/v1/spend/requests?key_id=${b.id}`, { token: a.key })).status).toBe(403);
    const admin = await json(await call(`/v1/spend/requests?key_id=${b.id}`));
    expect(admin.data.map((r: { request_id: string }) => r.request_id)).toEqual([idB]);
  });

  it("rejects a bad limit or cursor with 400 naming the field", async () => {
    const { key } = await createKey();
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=abc", "limit"],
      ["cursor=%%%", "cursor"],
      ["from=2026-13-45", "from"],
    ]) {
      const res = await call(`/v1/spend/requests?${query}`, { token: key });
      expect(res.status, query).toBe(400);
      expect((await json(res)).error.field).toBe(field);
    }
  });

  it("refuses from after to as GET /v1/spend does: 400 naming from", async () => {
    const { key } = await createKey();
    const today = dayOf(Date.now());
    const range = `from=${today}&to=${addDays(today, -1)}`;
    const [requests, spend] = [await call(`/v1/spend/requests?${range}`, { token: key }), await call(`/v1/spend?${range}`, { token: key })];
    expect([requests.status, spend.status]).toEqual([400, 400]);
    const error = (await json(requests)).error;
    expect(error).toMatchObject({ type: "invalid_request", field: "from" });
    expect(error).toEqual((await json(spend)).error);
  });
});
