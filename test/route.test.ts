import { describe, expect, it } from "vitest";
import { route } from "../workers/tasks/route";
import { completionWith, expectMeteredAnswer, expectOneLedgerRow, expectRejected, thrownBy } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

const DEFAULT_ROUTES = ["code_help", "complex_reasoning", "product_faq", "small_talk", "technical_docs"];

describe("POST /v1/route", () => {
  it("routes to a default route, with escalate and target_model agreeing, metered exactly in one ledger row", async () => {
    const { key, id: keyId } = await createKey();
    const queries = ["How do I rotate my API key?", "hi!", "Prove that the sum of two odd numbers is even", "my build fails"];
    for (const query of queries) {
      const res = await call("/v1/route", { token: key, body: { query } });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(DEFAULT_ROUTES).toContain(body.route);
      expect(body.confidence).toBeGreaterThanOrEqual(0);
      expect(body.confidence).toBeLessThanOrEqual(1);
      expect(typeof body.escalate).toBe("boolean");
      if (body.route === "complex_reasoning") expect(body.escalate).toBe(true);
      expect(body.target_model).toBe(body.escalate ? "gpt-5.4-mini" : "gpt-5.4-nano");
      expectMeteredAnswer(res, body);
      await expectOneLedgerRow(key, keyId, "route", body);
    }
  });

  it("routes to one of the caller's own routes", async () => {
    const { key } = await createKey();
    const routes = { billing: "invoices and payments", shipping: "where is my parcel", returns: "sending items back" };
    const body = await json(await call("/v1/route", { token: key, body: { query: "my parcel is late", routes } }));
    expect(Object.keys(routes)).toContain(body.route);
  });

  it("escalates for complex_reasoning or when the model says the query needs reasoning, and only then", () => {
    const input = route.input.parse({ query: "q" });
    const answer = (r: string, needs_reasoning: boolean) =>
      route.parse(completionWith({ content: JSON.stringify({ route: r, confidence: 0.9, needs_reasoning }) }), input);
    expect(answer("complex_reasoning", false)).toEqual({ route: "complex_reasoning", confidence: 0.9, escalate: true, target_model: "gpt-5.4-mini" });
    expect(answer("code_help", true)).toMatchObject({ escalate: true, target_model: "gpt-5.4-mini" });
    expect(answer("code_help", false)).toMatchObject({ escalate: false, target_model: "gpt-5.4-nano" });
    expect(thrownBy(() => answer("weather", false))).toMatchObject({ status: 422, type: "invalid_output" });
  });

  it("lays the prompt out for cache hits: routes sorted into the system message, an enum of them, the query last", () => {
    const a = route.request(route.input.parse({ query: "one", routes: { b: "bee", a: "ay", c: "see" } }));
    const b = route.request(route.input.parse({ query: "two", routes: { c: "see", a: "ay", b: "bee" } }));
    expect(a.messages[0]).toEqual(b.messages[0]);
    expect(a.response_format).toEqual(b.response_format);
    expect(a.messages.at(-1)).toEqual({ role: "user", content: "one" });
    expect(String(a.messages[0]?.content)).toContain("Routes:\n- a: ay\n- b: bee\n- c: see");
    expect(a.response_format).toMatchObject({ json_schema: { strict: true, schema: { properties: { route: { enum: ["a", "b", "c"] } } } } });
    expect(a.reasoning_effort).toBe("low");
    const defaults = route.request(route.input.parse({ query: "x" }));
    expect(defaults.response_format).toMatchObject({ json_schema: { schema: { properties: { route: { enum: DEFAULT_ROUTES } } } } });
  });

  it("answers 400 naming the field for bad input, and records nothing", async () => {
    const { key, id: keyId } = await createKey();
    await expectRejected("/v1/route", key, keyId, [
      [{}, "query"],
      [{ query: 42 }, "query"],
      [{ query: "" }, "query"],
      [{ query: "a\ud800b" }, "query"],
      [{ query: "x", routes: { only: "one" } }, "routes"],
      [{ query: "x", routes: ["a", "b"] }, "routes"],
      [{ query: "x", routes: { a: "ay", b: 7 } }, "routes.b"],
      [{ query: "x", model: "gpt-4o" }, "model"],
    ]);
  });
});
