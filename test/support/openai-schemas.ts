import { type Schema, Validator } from "@cfworker/json-schema";
import fixture from "../fixtures/openai/schemas.json";
import retired from "../fixtures/openai/retired-schemas.json";

/** The vendored schemas' names (test/fixtures/openai, made by scripts/openai-schemas.ts). */
export type OpenAISchemaName = keyof typeof fixture.components.schemas | keyof typeof retired.components.schemas;

/**
 * OpenAI's description says OpenAPI 3.1 but still marks some schemas `nullable: true`, the 3.0
 * way (its SDKs read it so). In JSON Schema 2020-12 that is "this schema, or null".
 */
function nullableAsAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsAnyOf);
  if (!node || typeof node !== "object") return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, nullableAsAnyOf(value)]));
  return nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
}

const components = nullableAsAnyOf({ schemas: { ...retired.components.schemas, ...fixture.components.schemas } });
const validators = new Map<string, Validator>();

/**
 * Where `value` breaks OpenAI's published schema `name`, as a list of "at /path: reason"
 * (empty when it fits). The schemas are OpenAI's own, from its OpenAPI description.
 */
export function openaiSchemaErrors(name: OpenAISchemaName, value: unknown): string[] {
  let validator = validators.get(name);
  if (!validator) {
    validator = new Validator({ $ref: `#/components/schemas/${name}`, components } as Schema, "2020-12", false);
    validators.set(name, validator);
  }
  const result = validator.validate(value);
  return result.valid ? [] : result.errors.map((e) => `at ${e.instanceLocation} (${e.keywordLocation}): ${e.error}`);
}
