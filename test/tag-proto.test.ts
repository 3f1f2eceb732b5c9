import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, json } from "./support/worker";

const intent = (tags?: string) => `{"text": "where is my parcel?", "labels": ["shipping", "billing"]${tags ? `, "tags": ${tags}` : ""}}`;
const storedTags = async (res: Response) => {
  expect(res.status).toBe(200);
  const row = await env.DB.prepare("SELECT tags FROM ledger WHERE request_id = ?").bind(res.headers.get("x-request-id")).first<{ tags: string | null }>();
  return row?.tags;
};

describe("a tag named __proto__ (or constructor) is a tag like any other", () => {
  it("is kept from the header, from the body, merged, and counted by GET /v1/spend and /v1/spend/tags", async () => {
    const { key } = await createKey();
    const headers = { "x-nanometer-tags": "__proto__=x,team=a" };
    expect(await storedTags(await call("/v1/intent", { token: key, headers, body: intent() }))).toBe('{"__proto__":"x","team":"a"}');
    expect(await storedTags(await call("/v1/intent", { token: key, body: intent('{"__proto__": "y", "constructor": "c"}') }))).toBe('{"__proto__":"y","constructor":"c"}');
    const merged = await call("/v1/intent", { token: key, headers, body: intent('{"__proto__": "x", "toString": "s"}') });
    expect(await storedTags(merged)).toBe('{"__proto__":"x","team":"a","toString":"s"}');
    // The same name with another value in the body is the conflict it is.
    const conflict = await call("/v1/intent", { token: key, headers, body: intent('{"__proto__": "z"}') });
    expect([conflict.status, (await json(conflict)).error.field]).toEqual([400, "tags.__proto__"]);

    const spend = await json(await call("/v1/spend?group_by=tag:__proto__", { token: key }));
    const byValue = Object.fromEntries(spend.rows.map((r: Record<string, unknown>) => [r["tag:__proto__"], r.requests]));
    expect(byValue).toEqual({ x: 2, y: 1 });
    const names = await json(await call("/v1/spend/tags", { token: key }));
    expect(names.data.map((t: { name: string }) => t.name)).toEqual(["__proto__", "constructor", "team", "toString"]);
  });
});
