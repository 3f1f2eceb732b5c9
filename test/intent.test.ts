import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, json } from "./support/worker";

const NANO = { in: 200, cached: 20, out: 1250 };
const MINI = { in: 750, cached: 75, out: 4500 };
type Usage = { input_tokens: number; cached_tokens: number; output_tokens: number; reasoning_tokens: number };
const nanoUsd = (u: Usage, p: typeof NANO) =>
  ((u.input_tokens - u.cached_tokens) * p.in + u.cached_tokens * p.cached + u.output_tokens * p.out) / 1e9;

describe("POST /v1/intent", () => {
  it("classifies into one of the caller's labels and answers the SPEC's fields", async () => {
    const { key } = await createKey();
    const res = await call("/v1/intent", {
      token: key,
      body: { text: "I want my money back for last month", labels: ["refund", "shipping", { name: "other", description: "anything else" }] },
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(["refund", "shipping", "other"]).toContain(body.intent);
    expect(body.confidence).toBeGreaterThanOrEqual(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
    expect(body.sub_category === null || typeof body.sub_category === "string").toBe(true);
    expect(body.id).toMatch(/^req_/);
    expect(res.headers.get("x-request-id")).toBe(body.id);
    expect(body.model).toBe("gpt-5.4-nano");
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBeGreaterThan(0);
    expect(typeof body.latency_ms).toBe("number");
  });

  it("bills exactly the SPEC formula on the upstream's usage, and projects mini", async () => {
    const { key } = await createKey();
    const body = await json(await call("/v1/intent", { token: key, body: { text: "where is my parcel?" } }));
    expect(body.cost.usd).toBe(nanoUsd(body.usage, NANO));
    expect(body.cost.mini_usd).toBe(nanoUsd(body.usage, MINI));
    expect(body.cost.saved_usd).toBe(
      (Math.round(body.cost.mini_usd * 1e9) - Math.round(body.cost.usd * 1e9)) / 1e9,
    );
  });

  it("writes one ledger row with the answer's usage and cost, shown in /v1/spend/requests", async () => {
    const { key, id: keyId } = await createKey();
    const body = await json(await call("/v1/intent", { token: key, body: { text: "hello there" } }));
    const rows = await json(await call(`/v1/spend/requests?request_id=${body.id}`, { token: key }));
    expect(rows.data).toHaveLength(1);
    expect(rows.data[0]).toMatchObject({
      request_id: body.id,
      attempt: 1,
      key_id: keyId,
      endpoint: "intent",
      model: "gpt-5.4-nano",
      upstream: "simulator",
      status: 200,
      error: null,
      ...body.usage,
      cost_usd: body.cost.usd,
      mini_cost_usd: body.cost.mini_usd,
    });
    const stored = await env.DB.prepare("SELECT cost_nano, typeof(cost_nano) AS t FROM ledger WHERE request_id = ?")
      .bind(body.id)
      .first<{ cost_nano: number; t: string }>();
    expect(stored).toEqual({ cost_nano: Math.round(body.cost.usd * 1e9), t: "integer" });
  });

  it("lays the prompt out for cache hits: the same labels in any order give the same prefix", async () => {
    const { intent } = await import("../workers/tasks/intent");
    const a = intent.request({ text: "one", labels: ["b", "a", "c"] });
    const b = intent.request({ text: "two", labels: ["c", "b", "a"] });
    expect(a.messages[0]).toEqual(b.messages[0]);
    expect(a.response_format).toEqual(b.response_format);
    expect(a.messages.at(-1)).toEqual({ role: "user", content: "one" });
  });

  it("answers 400 naming the field for bad input, and records nothing", async () => {
    const { key, id: keyId } = await createKey();
    const cases: [unknown, string][] = [
      [{}, "text"],
      [{ text: 42 }, "text"],
      [{ text: "" }, "text"],
      [{ text: "x", labels: ["only-one"] }, "labels"],
      [{ text: "x", labels: ["a", "a"] }, "labels"],
      [{ text: "x", labels: [{ description: "no name" }, "b"] }, "labels.0"],
      [{ text: "x", model: "gpt-4o" }, "model"],
    ];
    for (const [body, field] of cases) {
      const res = await call("/v1/intent", { token: key, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = await json(res);
      expect(err.error.type).toBe("invalid_request");
      expect(err.error.field).toBe(field);
    }
    const bad = await call("/v1/intent", { token: key, body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.type).toBe("invalid_json");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM ledger WHERE key_id = ?").bind(keyId).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("accepts gpt-5.4-mini and bills it at mini's price", async () => {
    const { key } = await createKey();
    const body = await json(await call("/v1/intent", { token: key, body: { text: "cancel my plan", model: "gpt-5.4-mini" } }));
    expect(body.model).toBe("gpt-5.4-mini");
    expect(body.cost.usd).toBe(nanoUsd(body.usage, MINI));
    expect(body.cost.saved_usd).toBe(0);
  });
});
