import { createRoute } from "@hono/zod-openapi";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { app } from "../workers/app";
import { usd, usdSchema } from "../workers/metering/money";
import { type ApiRoutes, apiRoute, apiRoutes, jsonAnswer } from "../workers/openapi/define";
import { newBox, poll } from "./support/alerts";
import { pollBatch } from "./support/batches";
import { isOpenAICompatible, openapi, operationOf, schemaProblems, undocumented } from "./support/documented";
import { seed } from "./support/ledger";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

/** Pages, not API: the dashboard and the reference page, with their files. */
const NOT_API = ["/dashboard", "/dashboard/{file}", "/docs", "/docs/{file}"];

/** The app's routes as the document writes paths: /v1/models/:model{.+} is /v1/models/{model}. */
function appRoutes() {
  const routes = app.routes.filter((r) => r.method !== "ALL");
  return routes.map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}").replace(/(.)\/$/, "$1") }));
}

const operations = () => Object.entries(openapi().paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document, served without a key", async () => {
    const res = await call("/openapi.json", { token: null });
    expect(res.status).toBe(200);
    const document = await json(res);
    expect(document.openapi).toBe("3.1.0");
    expect(document).toEqual(JSON.parse(JSON.stringify(openapi())));
  });

  it("has every route of the app, each defined with its schemas or listed as OpenAI-compatible; only the pages are left out", () => {
    const documented = new Set(operations().map((o) => `${o.method} ${o.path}`));
    const routes = appRoutes().filter((r) => !NOT_API.includes(r.path));
    expect(routes.filter((r) => !documented.has(`${r.method} ${r.path}`))).toEqual([]);
    expect([...documented].filter((o) => !routes.some((r) => `${r.method} ${r.path}` === o))).toEqual([]);
    expect(appRoutes().filter((r) => NOT_API.includes(r.path)).map((r) => r.path)).toEqual(expect.arrayContaining(NOT_API));
  });

  it("links OpenAI's reference for each OpenAI-compatible operation, and gives every other one a schema for every answer, errors in the error shape", () => {
    const own = operations().filter((o) => !isOpenAICompatible(o.op));
    expect(own.length).toBeGreaterThanOrEqual(22);
    for (const { method, path, op } of operations().filter((o) => isOpenAICompatible(o.op))) {
      expect((op as { externalDocs?: { url: string } }).externalDocs?.url, `${method} ${path}`).toMatch(/^https:\/\/platform\.openai\.com\/docs\/api-reference\//);
    }
    for (const { method, path, op } of own) {
      for (const [status, answer] of Object.entries(op.responses)) {
        const content = answer.content ?? {};
        expect(Object.keys(content).length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        if (Number(status) >= 400) expect(content["application/json"]?.schema, `${method} ${path} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
      if (path.startsWith("/v1/")) expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["401", "429", "500"]));
    }
  });

  it("documents the alert webhook: what a receiver gets fits it", async () => {
    const { id } = await createKey({ daily_budget_usd: 1 });
    await seed([{ time: Date.now(), keyId: id, usage: { inputTokens: 0, outputTokens: 400_000 } }]); // $0.50: the 50% threshold
    const box = newBox();
    await poll(Date.now(), box.vars);
    const [delivery] = await box.deliveries([id]);
    const webhook = openapi().webhooks.alert.post;
    expect(webhook.parameters).toEqual([expect.objectContaining({ in: "header", name: "x-nanometer-signature", required: true })]);
    expect(schemaProblems(webhook.requestBody.content["application/json"].schema, JSON.parse(delivery!.body))).toEqual([]);
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: "budget_threshold", threshold: 0.5 });
    expect(schemaProblems(webhook.requestBody.content["application/json"].schema, { ...JSON.parse(delivery!.body), threshold: "half" })).not.toEqual([]);
  });

  it("documents money as JSON numbers, exact to the pico-dollar", () => {
    const cost = (openapi().components as any).schemas.Cost;
    expect(cost.properties.usd).toMatchObject({ type: "number", description: expect.stringContaining("1e-12") });
  });
});

describe("every nanometer operation answers as its document says (one call each)", () => {
  it("calls each operation once and every answer fits its schema", async () => {
    const called = new Set<string>();
    const expectCall = async (path: string, options: Parameters<typeof call>[1] & { status?: number } = {}) => {
      const res = await call(path, options);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(options.status ?? 200);
      const method = options.method ?? (options.body === undefined ? "GET" : "POST");
      expect(await undocumented(method, new URL(path, "http://x").pathname, res)).toEqual([]);
      const op = operations().find((o) => o.op === operationOf(method, new URL(path, "http://x").pathname));
      called.add(`${op?.method} ${op?.path}`);
      return res;
    };
    const { key, id } = await createKey({ name: "openapi", daily_budget_usd: 50 });
    expect(await (await expectCall("/healthz", { token: null })).text()).toBe("ok");
    await expectCall("/openapi.json", { token: null });
    const other = await json(await expectCall("/v1/admin/keys", { body: { name: "openapi-other" }, status: 201 }));
    await expectCall("/v1/admin/keys");
    await expectCall(`/v1/admin/keys/${other.id}`, { method: "PATCH", body: { rpm: 10 } });
    await expectCall(`/v1/admin/keys/${other.id}`, { method: "DELETE" });
    await expectCall("/v1/admin/prices");
    await expectCall("/v1/admin/prices", { status: 201, body: { model: `openapi-${id}`, tier: "default", input_usd_per_1m: 1, cached_input_usd_per_1m: 0.1, output_usd_per_1m: 2, effective_from: "2099-01-01" } });
    await expectCall("/v1/admin/alerts");
    await expectCall("/v1/admin/rollup", { body: {} });
    const attributed = { "x-nanometer-tags": "team=search", "x-nanometer-user": "cust-1" };
    await expectCall("/v1/intent", { token: key, headers: attributed, body: { text: "I was charged twice", labels: ["billing", "shipping"] } });
    await expectCall("/v1/route", { token: key, body: { query: "How do I rotate a key?" } });
    await expectCall("/v1/extract", { token: key, body: { text: "ACME, 12 EUR", schema: { type: "object", properties: { customer: { type: "string" } }, required: ["customer"] } } });
    await expectCall("/v1/tool", { token: key, body: { task: "Weather in Lisbon?", tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }] } });
    await expectCall("/v1/rerank", { token: key, body: { query: "keys", documents: ["rotate keys", "invoices"] } });
    await expectCall("/v1/summarize", { token: key, body: { text: "The council met on Tuesday and approved the budget.", words: 10 } });
    const batch = await json(await expectCall("/v1/batches/tasks", { token: key, body: { endpoint: "intent", items: [{ custom_id: "a", text: "refund please" }] } }));
    const { client, settled } = openaiClient(key);
    await pollBatch(client, batch.id);
    await settled();
    await expectCall(`/v1/batches/${batch.id}/results`, { token: key });
    await expectCall("/v1/spend/budgets", { token: key });
    await expectCall("/v1/spend?group_by=day,endpoint,model,tier,key", { token: key });
    expect(await (await expectCall("/v1/spend?format=csv", { token: key })).text()).toMatch(/^day,requests,/);
    await expectCall("/v1/spend/cache", { token: key });
    await expectCall("/v1/spend/requests", { token: key });
    const tagged = await json(await expectCall("/v1/spend/requests?tag=team:search&user=cust-1", { token: key }));
    expect(tagged.data.map((r: { tags: unknown; end_user: unknown }) => [r.tags, r.end_user])).toEqual([[{ team: "search" }, "cust-1"]]);
    // A tag's column is named by its tag: the document allows `tag:<name>` columns of text or null, and no other name.
    const byTag = await json(await expectCall("/v1/spend?group_by=endpoint,tag:team", { token: key }));
    const row = byTag.rows.find((r: Record<string, unknown>) => r["tag:team"] === "search");
    expect([byTag.group_by, row?.endpoint]).toEqual([["endpoint", "tag:team"], "intent"]);
    const rowSchema = { $ref: "#/components/schemas/SpendRow" };
    expect(schemaProblems(rowSchema, { ...row, "tag:team": null })).toEqual([]);
    expect(schemaProblems(rowSchema, { ...row, "tag:team": 1 })).not.toEqual([]);
    expect(schemaProblems(rowSchema, { ...row, team: "search" })).not.toEqual([]);
    await expectCall("/v1/spend?group_by=user&user=cust-1", { token: key });
    expect((await json(await expectCall("/v1/spend/tags", { token: key }))).data).toEqual([{ name: "team", requests: 1, cost_usd: expect.any(Number) }]);
    const users = await json(await expectCall("/v1/spend/users", { token: key }));
    expect(users.rows.map((u: { end_user: string }) => u.end_user)).toEqual(["cust-1"]);
    expect(await (await expectCall("/v1/spend/users?format=csv", { token: key })).text()).toMatch(/^key_id,end_user,/);

    const own = operations().filter((o) => !isOpenAICompatible(o.op));
    expect(own.map((o) => `${o.method} ${o.path}`).filter((o) => !called.has(o))).toEqual([]);
  }, 60_000);

  it("catches an answer off its schema, and a status its operation does not document", async () => {
    const answer = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    expect(await undocumented("GET", "/v1/spend/budgets", answer({ key_id: null, data: [] }))).toEqual([]);
    expect((await undocumented("GET", "/v1/spend/budgets", answer({ key_id: null, data: [], extra: 1 }))).length).toBeGreaterThan(0);
    expect((await undocumented("GET", "/v1/spend/budgets", answer({ data: [] }))).length).toBeGreaterThan(0);
    expect((await undocumented("POST", "/v1/intent", answer({ id: "req_1", intent: "billing" }))).length).toBeGreaterThan(0);
    expect(await undocumented("GET", "/v1/spend/budgets", answer({ error: { type: "conflict", message: "no" } }, 409))).toEqual([
      "409 is not among the answers documented for GET /v1/spend/budgets",
    ]);
    expect((await undocumented("GET", "/nowhere", answer({ error: { type: "not_found" } }, 404))).length).toBeGreaterThan(0);
  });
});

describe("route definitions, checked by the typecheck (npm test runs tsc first)", () => {
  it("do not compile an answer off its schema, nor a group of routes without definitions", () => {
    const route = createRoute({ method: "get", path: "/x", responses: { 200: jsonAnswer(z.strictObject({ cost_usd: usdSchema }), "a cost") } });
    // @ts-expect-error: a plain number where the schema has USD (written with usd())
    apiRoute(route, (c) => c.json({ cost_usd: 0.5 }, 200));
    // @ts-expect-error: a field the schema does not have, and one missing
    apiRoute(route, (c) => c.json({ cost: usd(1) }, 200));
    // @ts-expect-error: a status the definition does not declare
    apiRoute(route, (c) => c.json({ cost_usd: usd(1) }, 201));
    // @ts-expect-error: app.ts mounts only ApiRoutes, and a Hono group is not one
    const plain: ApiRoutes = new Hono();
    const defined: ApiRoutes = apiRoutes([apiRoute(route, (c) => c.json({ cost_usd: usd(1) }, 200))]);
    expect([plain.routes.length, defined.routes.map((r) => `${r.method} ${r.path}`)]).toEqual([0, ["GET /x"]]);
  });
});
