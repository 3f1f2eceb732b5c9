import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { TYPES_FILE, typesOf } from "../../scripts/openapi-types";
import { adminToken, base } from "../support/gateway-calls";
import type { paths } from "./nanometer-api";

/** The document as any tool reads it: from a running nanometer (wrangler dev). */
const fetchDocument = async () => (await fetch(`${base}/openapi.json`)).json() as Promise<Record<string, any>>;

async function validity(document: unknown) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as Parameters<Validator["validate"]>[0]);
  return { ...result, version: validator.version, resolved: () => validator.resolveRefs() };
}

describe("/openapi.json read by outside tools", () => {
  it("is valid OpenAPI 3.1 to an independent validator (the OpenAPI Initiative's schemas), every $ref resolving", async () => {
    const document = await fetchDocument();
    const result = await validity(document);
    expect(result.errors).toBeUndefined();
    expect([result.valid, result.version]).toEqual([true, "3.1"]);
    expect(() => result.resolved()).not.toThrow();
    // The same validator refuses a document that breaks the specification: an answer without its description.
    const broken = structuredClone(document);
    delete broken.paths["/v1/intent"].post.responses["200"].description;
    expect((await validity(broken)).valid).toBe(false);
  });

  it(`is what ${TYPES_FILE} was generated from (npm run openapi:types)`, async () => {
    expect(await readFile(TYPES_FILE, "utf8")).toBe(await typesOf(await fetchDocument()));
  }, 30_000);

  it("types an openapi-fetch client: a key created, a task called, the spend read", async () => {
    const admin = createClient<paths>({ baseUrl: base, headers: { authorization: `Bearer ${adminToken}` } });
    const { data: created, error: refused } = await admin.POST("/v1/admin/keys", { body: { name: "typed", daily_budget_usd: 1 } });
    expect(refused).toBeUndefined();
    const client = createClient<paths>({ baseUrl: base, headers: { authorization: `Bearer ${created!.key}` } });
    const { data, error } = await client.POST("/v1/intent", {
      params: { header: { "x-nanometer-tags": "team=typed" } },
      body: { text: "I was charged twice", labels: ["billing", "shipping"] },
    });
    if (error) throw new Error(`${error.error.type}: ${error.error.message}`); // as the README's example
    expect(["billing", "shipping"]).toContain(data.intent);
    expect(data.cost.usd).toBeGreaterThan(0);
    const spendRows = async () => {
      const { data: spend } = await client.GET("/v1/spend", { params: { query: { group_by: "endpoint,tag:team" } } });
      if (typeof spend !== "object") throw new Error("JSON was asked for, not CSV"); // the path answers both
      return spend.rows.map((r) => [r.endpoint, r["tag:team"], r.requests]);
    };
    // The ledger row is written after the answer, through the ledger queue.
    await expect.poll(spendRows, { timeout: 20_000 }).toEqual([["intent", "typed", 1]]);
    const { error: bad } = await client.POST("/v1/intent", { body: { text: "" } });
    expect(bad?.error).toMatchObject({ type: "invalid_request", field: "text" });
  });
});
