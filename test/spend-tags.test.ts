import { describe, expect, it } from "vitest";
import type { NewLedgerRow } from "../workers/db/schema";
import { addDays, dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { at, db, seed } from "./support/ledger";
import { call, createKey, json } from "./support/worker";

const today = dayOf(Date.now());
const [threeAgo, twoAgo, yesterday] = [-3, -2, -1].map((n) => addDays(today, n)) as [string, string, string];

/** Each tag name of `rows`, by name: its requests (each once, whatever its attempts) and its cost, every attempt's. */
function expected(rows: NewLedgerRow[]) {
  const names = new Map<string, { requests: Set<string>; pico: number }>();
  for (const r of rows) {
    for (const name of Object.keys(r.tags ? JSON.parse(r.tags) : {})) {
      const seen = names.get(name) ?? { requests: new Set(), pico: 0 };
      seen.requests.add(r.requestId);
      seen.pico += r.costPico;
      names.set(name, seen);
    }
  }
  return [...names].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, s]) => ({ name, requests: s.requests.size, cost_usd: s.pico / 1e12 }));
}

const tagNames = async (query: string, token?: string) => {
  const res = await call(`/v1/spend/tags?${query}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json(res)).data;
};

/** A key's calls over four days: two to be rolled up, yesterday left live (no check yet), and today. */
async function calls(keyId: string) {
  const usage = (n: number) => ({ inputTokens: 900 + 41 * n, outputTokens: 70 + 13 * n });
  return seed([
    { time: at(threeAgo, 9), keyId, usage: usage(1), tags: { feature: "search", team: "core" } },
    { time: at(threeAgo, 10), keyId, usage: usage(2), tags: { channel: "web" } },
    { time: at(threeAgo, 11), keyId, usage: usage(3) },
    { time: at(twoAgo, 9), keyId, endpoint: "extract", usage: usage(4), tags: { team: "growth" } },
    { time: at(twoAgo, 10), keyId, status: 500, usage: { inputTokens: 0, outputTokens: 0 } },
    { time: at(yesterday, 9), keyId, usage: usage(5), tags: { feature: "chat", region: "eu" } },
    // One request, escalated: two attempts, one request, both attempts' cost.
    { time: Date.now() - 2, keyId, requestId: `req_tags_${keyId}`, usage: usage(6), tags: { feature: "search" } },
    { time: Date.now() - 1, keyId, requestId: `req_tags_${keyId}`, attempt: 2, model: "gpt-5.4-mini", usage: usage(7), tags: { feature: "search" } },
    { time: Date.now(), keyId, endpoint: "summarize", usage: usage(8) },
  ]);
}

describe("GET /v1/spend/tags", () => {
  it("names every tag of the range with its requests and cost, rolled and live days alike, exactly", async () => {
    const { id, key } = await createKey({ name: "tag-names" });
    const [rows, other] = [await calls(id), await seed([{ time: Date.now(), keyId: "kTN_other", tags: { project: "x" } }])];
    const since = (day: string) => rows.filter((r) => dayOf(r.time) >= day);
    const answers = async () => ({
      all: await tagNames(`from=${threeAgo}&to=${today}`, key),
      recent: await tagNames(`from=${twoAgo}&to=${today}`, key),
      admin: await tagNames(`from=${threeAgo}&key_id=${id}`),
    });
    const live = await answers();
    expect(live.all.map((t: { name: string }) => t.name)).toEqual(["channel", "feature", "region", "team"]);
    expect(live).toEqual({ all: expected(rows), recent: expected(since(twoAgo)), admin: expected(rows) });

    for (const day of [threeAgo, twoAgo]) await rollDay(db(), day, Date.now(), 90);
    expect(await answers()).toEqual(live);
    // The admin without key_id: every key's names.
    expect(await tagNames(`from=${threeAgo}`)).toEqual(expected([...rows, ...other]));
  });

  it("answers no names for a range without tags, and refuses another key's, and a range that ends before it begins", async () => {
    const { key } = await createKey({ name: "tag-names-none" });
    expect(await tagNames("", key)).toEqual([]);
    const foreign = await call("/v1/spend/tags?key_id=kTN_other", { token: key });
    expect([foreign.status, (await json(foreign)).error.field]).toEqual([403, "key_id"]);
    const backwards = await call(`/v1/spend/tags?from=${today}&to=${yesterday}`);
    expect([backwards.status, (await json(backwards)).error.field]).toEqual([400, "from"]);
  });
});
