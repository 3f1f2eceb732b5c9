import { describe, expect, it } from "vitest";
import { extract } from "../workers/tasks/extract";
import { toStrictSchema } from "../workers/tasks/strict-schema";
import { completionWith, expectBilledFailure, expectMeteredAnswer, expectOneLedgerRow, expectRejected, thrownBy } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

const invoice = {
  type: "object",
  properties: {
    customer: { type: "string", minLength: 1 },
    total: { type: "number", minimum: 0 },
    currency: { type: "string", enum: ["EUR", "USD"] },
    paid: { type: "boolean" },
    lines: {
      type: "array",
      items: { type: "object", properties: { item: { type: "string" }, quantity: { type: "integer", minimum: 1 } }, required: ["item", "quantity"] },
    },
  },
  required: ["customer", "total", "lines"],
};

describe("POST /v1/extract", () => {
  it("answers data valid against the caller's schema, metered exactly in one ledger row", async () => {
    const { key, id: keyId } = await createKey();
    const text = "Invoice for ACME Corp: 3 widgets and 1 gadget, total 120.50 EUR, paid by card.";
    const res = await call("/v1/extract", { token: key, body: { text, schema: invoice, name: "invoice" } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(typeof body.data.customer).toBe("string");
    expect(body.data.customer.length).toBeGreaterThan(0);
    expect(body.data.total).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(body.data.lines)).toBe(true);
    for (const line of body.data.lines) expect(Number.isInteger(line.quantity) && line.quantity >= 1).toBe(true);
    expect(Object.keys(body.data).every((k) => k in invoice.properties)).toBe(true);
    expectMeteredAnswer(res, body);
    await expectOneLedgerRow(key, keyId, "extract", body);
  });

  it("sends the schema normalized for strict mode: additionalProperties false, optional made required and nullable", () => {
    const request = extract.request(extract.input.parse({ text: "x", schema: invoice }));
    expect(request.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "extraction",
        strict: true,
        schema: {
          type: "object",
          properties: {
            customer: { type: "string" },
            total: { type: "number", minimum: 0 },
            currency: { anyOf: [{ type: "string", enum: ["EUR", "USD"] }, { type: "null" }] },
            paid: { type: ["boolean", "null"] },
            lines: {
              type: "array",
              items: {
                type: "object",
                properties: { item: { type: "string" }, quantity: { type: "integer", minimum: 1 } },
                required: ["item", "quantity"],
                additionalProperties: false,
              },
            },
          },
          required: ["customer", "total", "currency", "paid", "lines"],
          additionalProperties: false,
        },
      },
    });
    expect(request.messages.at(-1)).toEqual({ role: "user", content: "x" });
  });

  it("normalizes $defs, $ref, oneOf and annotations, and keeps nulls the caller allowed", () => {
    const strict = toStrictSchema({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        home: { $ref: "#/$defs/address" },
        note: { type: ["string", "null"], default: null },
        id: { oneOf: [{ type: "string", format: "uuid" }, { type: "integer" }] },
      },
      required: ["id"],
      $defs: { address: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: true } },
    });
    expect(strict).toEqual({
      type: "object",
      properties: {
        home: { anyOf: [{ $ref: "#/$defs/address" }, { type: "null" }] },
        note: { type: ["string", "null"] },
        id: { anyOf: [{ type: "string", format: "uuid" }, { type: "integer" }] },
      },
      required: ["home", "note", "id"],
      additionalProperties: false,
      $defs: { address: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } },
    });
  });

  it("takes recursive schemas that have a way out: an optional property, an array that may be empty, a null", () => {
    const node = (properties: object, required: string[]) => ({ type: "object", properties, required });
    for (const item of [
      node({ next: { $ref: "#/$defs/item" } }, []),
      node({ children: { type: "array", items: { $ref: "#/$defs/item" } } }, ["children"]),
      node({ parent: { anyOf: [{ $ref: "#/$defs/item" }, { type: "null" }] } }, ["parent"]),
    ]) {
      const schema = { ...node({ root: { $ref: "#/$defs/item" }, again: { $ref: "#" } }, ["root"]), $defs: { item } };
      expect(toStrictSchema(schema).$defs).toBeDefined();
    }
  });

  it("drops the nulls normalization added before checking, keeps the caller's own, and 422s an answer that breaks the schema", () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" }, nickname: { type: ["string", "null"] } },
      required: ["name"],
    };
    const input = extract.input.parse({ text: "x", schema });
    const answer = (data: unknown) => extract.parse(completionWith({ content: JSON.stringify(data) }), input);
    expect(answer({ name: "Ada", age: null, nickname: null })).toEqual({ data: { name: "Ada", nickname: null } });
    expect(answer({ name: "Ada", age: 36, nickname: "A" })).toEqual({ data: { name: "Ada", age: 36, nickname: "A" } });
    expect(thrownBy(() => answer({ name: null, age: 3, nickname: null }))).toMatchObject({ status: 422, type: "invalid_output" });
    expect(thrownBy(() => answer({ name: "Ada", age: "old", nickname: null })).message).toContain("/age");
    expect(thrownBy(() => answer({ age: 3, nickname: null })).message).toContain('"name"');
    // The caller's schema allows other properties, so one the model adds is no violation.
    expect(answer({ name: "Ada", age: 3, nickname: null, extra: 1 })).toEqual({ data: { name: "Ada", age: 3, nickname: null, extra: 1 } });
    expect(thrownBy(() => extract.parse(completionWith({ content: "{not json" }), input))).toMatchObject({ status: 422, type: "invalid_output" });
    expect(thrownBy(() => extract.parse(completionWith({ refusal: "I can't help with that" }), input))).toMatchObject({ status: 422, type: "refused" });
  });

  it("answers 422 when the model's output breaks the schema, and still bills the attempt", async () => {
    const { key } = await createKey();
    // The simulator does not honour `pattern`, so its string cannot match this one.
    const schema = { type: "object", properties: { code: { type: "string", pattern: "^[0-9]{6}$" } }, required: ["code"] };
    const res = await call("/v1/extract", { token: key, body: { text: "The code is ABCDEF", schema } });
    expect(res.status).toBe(422);
    const err = await json(res);
    expect(err.error.type).toBe("invalid_output");
    expect(err.error.message).toContain("/code");
    const row = await expectBilledFailure(key, res.headers.get("x-request-id") as string, "extract", 422);
    expect(row.error).toContain("invalid_output");
  });

  it("answers 400 naming `schema`, saying why, for what strict mode cannot take, and records nothing", async () => {
    const { key, id: keyId } = await createKey();
    const object = (properties: object) => ({ type: "object", properties });
    let deep: Record<string, unknown> = object({ leaf: { type: "string" } });
    for (let i = 0; i < 10; i++) deep = object({ child: deep });
    let nested: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 50_000; i++) nested = { anyOf: [nested] };
    const cases: [unknown, string][] = [
      [{ type: "array", items: { type: "string" } }, "the root must be"],
      [object({ tags: { type: "object", additionalProperties: { type: "string" } } }), "free-form map"],
      [object({ meta: { type: "object" } }), "properties listed"],
      [object({ a: { type: "string" }, b: { not: { type: "string" } } }), '"not" is not supported'],
      [{ ...object({ a: { type: "string" } }), allOf: [] }, '"allOf" is not supported'],
      [object({ list: { type: "array" } }), "needs an items schema"],
      [object({ thing: { description: "untyped" } }), "needs a type"],
      [object({ home: { $ref: "#/$defs/missing" } }), "$ref"],
      [object({ code: { type: "string", pattern: "(" } }), "not a valid regular expression"],
      [object({ site: { type: "string", format: "uri" } }), "format"],
      [{ ...object({ a: { type: "string" } }), required: ["b"] }, 'required names "b"'],
      [deep, "levels of nested objects"],
      [object({ nested }), "levels of nested schemas"],
      // $refs that loop without a way out: no finite answer fits them.
      [{ ...object({ x: { $ref: "#/$defs/a" } }), required: ["x"], $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } } }, "at #/$defs/a: no finite value fits"],
      [{ ...object({ x: { $ref: "#/$defs/a" } }), $defs: { a: { $ref: "#/$defs/a" } } }, "at #/$defs/a: no finite value fits"],
      [{ ...object({ x: { $ref: "#/$defs/a" } }), $defs: { a: { anyOf: [{ $ref: "#/$defs/a" }] } } }, "at #/$defs/a: no finite value fits"],
      [{ ...object({ x: { $ref: "#/$defs/a" } }), $defs: { a: { ...object({ n: { $ref: "#/$defs/a" } }), required: ["n"] } } }, "at #/$defs/a: no finite value fits"],
      [{ ...object({ x: { $ref: "#" } }), required: ["x"] }, "at #: no finite value fits"],
      [{ ...object({ x: { $ref: "#/$defs/a" } }), $defs: { a: { type: "array", items: { $ref: "#/$defs/a" }, minItems: 1 } } }, "at #/$defs/a: no finite value fits"],
    ];
    for (const [schema, reason] of cases) {
      const res = await call("/v1/extract", { token: key, body: { text: "x", schema } });
      expect(res.status, reason).toBe(400);
      const err = await json(res);
      expect(err.error.field).toBe("schema");
      expect(err.error.message).toContain(reason);
    }
    await expectRejected("/v1/extract", key, keyId, [
      [{ schema: invoice }, "text"],
      [{ text: "\udfff", schema: invoice }, "text"],
      [{ text: "x" }, "schema"],
      [{ text: "x", schema: "not an object" }, "schema"],
      [{ text: "x", schema: invoice, name: "has spaces" }, "name"],
    ]);
  });
});
