import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectMeteredAnswer, expectOneLedgerRow, expectRejected } from "./support/tasks";
import { call, createKey, json } from "./support/worker";


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
    expectMeteredAnswer(res, body);
  });

  it("bills exactly the SPEC formula on the upstream's usage, and projects mini", async () => {
    const { key } = await createKey();
    const res = await call("/v1/intent", { token: key, body: { text: "where is my parcel?" } });
    expectMeteredAnswer(res, await json(res));
  });

  it("writes one ledger row with the answer's usage and cost, shown in /v1/spend/requests", async () => {
    const { key, id: keyId } = await createKey();
    const body = await json(await call("/v1/intent", { token: key, body: { text: "hello there" } }));
    await expectOneLedgerRow(key, keyId, "intent", body);
    const stored = await env.DB.prepare("SELECT cost_pico, typeof(cost_pico) AS t FROM ledger WHERE request_id = ?")
      .bind(body.id)
      .first<{ cost_pico: number; t: string }>();
    expect(stored).toEqual({ cost_pico: Math.round(body.cost.usd * 1e12), t: "integer" });
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
      [{ text: "half a pair \ud800" }, "text"],
      [{ text: "x", labels: ["only-one"] }, "labels"],
      [{ text: "x", labels: ["a", "a"] }, "labels"],
      [{ text: "x", labels: [{ description: "no name" }, "b"] }, "labels.0"],
      [{ text: "x", model: "gpt-4o" }, "model"],
      [{ text: "x", lables: ["a", "b"] }, "lables"],
    ];
    const bad = await call("/v1/intent", { token: key, body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.type).toBe("invalid_json");
    await expectRejected("/v1/intent", key, keyId, cases);
  });

  it("accepts gpt-5.4-mini and bills it at mini's price", async () => {
    const { key } = await createKey();
    const res = await call("/v1/intent", { token: key, body: { text: "cancel my plan", model: "gpt-5.4-mini" } });
    const body = await json(res);
    expectMeteredAnswer(res, body, "gpt-5.4-mini");
    expect(body.cost.saved_usd).toBe(0);
  });
});
