import { describe, expect, it } from "vitest";
import { openapi, schemaProblems } from "../support/documented";
import { call, createKey } from "../support/worker";

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: { $ref?: string; example?: unknown }; example?: unknown }> };
}

/** What Swagger UI's "Try it out" starts from: the media type's example, else its schema's ($ref followed). */
function exampleOf(op: Operation): unknown {
  const media = op.requestBody!.content["application/json"]!;
  if (media.example !== undefined) return media.example;
  const ref = media.schema.$ref?.replace("#/components/schemas/", "");
  const schemas = (openapi().components as { schemas: Record<string, { example?: unknown }> }).schemas;
  return (ref === undefined ? media.schema : schemas[ref])?.example;
}

/** What each parameterized path needs to exist first, made through the API. */
const PATH_PARAMS: Record<string, () => Promise<Record<string, string>>> = {
  "/v1/admin/keys/{id}": async () => ({ id: (await createKey({ name: "example-target" })).id }),
};

const withBodies = () =>
  Object.entries(openapi().paths).flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, Operation>)
      .filter(([, op]) => op.requestBody !== undefined)
      .map(([method, op]) => ({ method, path, op })),
  );

describe("the request examples of /openapi.json", () => {
  it("gives every request body an example that fits its schema", () => {
    const operations = withBodies();
    expect(operations.length).toBeGreaterThanOrEqual(11);
    for (const { method, path, op } of operations) {
      const example = exampleOf(op);
      expect(example, `${method} ${path}`).toBeDefined();
      expect(schemaProblems(op.requestBody!.content["application/json"]!.schema, example), `${method} ${path}`).toEqual([]);
    }
  });

  it("answers each example with a 2xx when sent as it is, as Swagger UI's Try it out sends it", async () => {
    const { key } = await createKey({ name: "examples" });
    for (const { method, path, op } of withBodies()) {
      const params = path.includes("{") ? await PATH_PARAMS[path]!() : {};
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!);
      // The admin token where the admin's is the only security; else an API key.
      const token = op.security?.some((s) => "apiKey" in s) ? key : undefined;
      const res = await call(concrete, { method: method.toUpperCase(), body: exampleOf(op), token });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    }
  }, 60_000);
});
