import { infiniteTarget } from "./finite-schema";
import { acceptsNull, isJsonObject, type JsonObject, MAX_REF_HOPS, resolveRef } from "./json-schema";
import { patternProblem } from "./schema-patterns";

/**
 * The caller's JSON Schema made fit for OpenAI's strict structured outputs, or a clear refusal.
 *
 * Normalized, keeping the meaning (the answer is still checked against the caller's original):
 * - every object gets `additionalProperties: false` (absent or `true` ask for nothing the
 *   listed properties do not already give);
 * - an optional property becomes required and nullable: "null" joins its `type`, or it becomes
 *   `anyOf: [schema, {type: "null"}]`; a null the model puts there is dropped from the answer
 *   unless the original schema allows null for it (`withoutAddedNulls`);
 * - `oneOf` is sent as `anyOf`; the answer is then checked against the oneOf;
 * - minLength, maxLength, uniqueItems, minProperties, maxProperties are not sent (strict mode
 *   cannot constrain with them) but are enforced on the answer;
 * - annotations ($schema, $id, $comment, default, examples, deprecated, readOnly, writeOnly)
 *   are not sent.
 * Refused with a 400 naming `schema`, because strict mode cannot generate what they describe:
 * - a root that is not `type: "object"`; any keyword not listed here or in SENT (allOf, not,
 *   if/then/else, patternProperties, propertyNames, prefixItems, contains, dependentSchemas, ...);
 * - a free-form object: no `properties`, or `additionalProperties` given as a schema;
 * - an array without `items`; a schema with none of type, enum, const, anyOf/oneOf, $ref;
 * - a `format` strict mode does not know; a `pattern` RE2 cannot compile (not a regular
 *   expression, or one with backreferences or lookaround: answers are checked in linear time);
 * - a `$ref` other than "#" or "#/$defs/NAME" ("#/definitions/NAME") naming a definition that
 *   exists; `$defs` anywhere but at the root; `$ref`s that loop with no way out (finite-schema.ts);
 * - past OpenAI's limits: 10 levels of nested objects, 5000 properties, 1000 enum values; or
 *   past 64 levels of schemas nested in any way.
 */

const SENT = new Set([
  "type", "enum", "const", "$ref", "description", "title", "pattern", "format",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
]);
const REBUILT = new Set(["properties", "required", "additionalProperties", "items", "anyOf", "oneOf"]);
const ENFORCED_ON_ANSWER = new Set(["minLength", "maxLength", "uniqueItems", "minProperties", "maxProperties"]);
const ANNOTATIONS = new Set(["$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly"]);
const DEFINITIONS = ["$defs", "definitions"] as const;
const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);
const MAX_OBJECT_DEPTH = 10;
const MAX_PROPERTIES = 5000;
const MAX_ENUM_VALUES = 1000;
/** Schemas inside schemas (anyOf, items, properties), so a hostile schema cannot exhaust the stack. */
const MAX_NESTING = 64;

export class StrictSchemaError extends Error {}

const refuse = (at: string, reason: string): never => {
  throw new StrictSchemaError(`at ${at}: ${reason}`);
};

interface Walk {
  root: JsonObject;
  properties: number;
  enumValues: number;
  nesting: number;
}

export function toStrictSchema(schema: JsonObject): JsonObject {
  if (schema.type !== "object") refuse("#", 'the root must be {"type": "object", "properties": {...}}');
  const walk: Walk = { root: schema, properties: 0, enumValues: 0, nesting: 0 };
  const strict = normalize(schema, "#", 1, walk);
  for (const key of DEFINITIONS) {
    const defs = schema[key];
    if (defs === undefined) continue;
    if (!isJsonObject(defs)) refuse(`#/${key}`, "must be an object of named schemas");
    strict[key] = Object.fromEntries(Object.entries(defs as JsonObject).map(([name, def]) => [name, normalize(def, `#/${key}/${name}`, 1, walk)]));
  }
  if (walk.properties > MAX_PROPERTIES) refuse("#", `more than ${MAX_PROPERTIES} properties in all`);
  if (walk.enumValues > MAX_ENUM_VALUES) refuse("#", `more than ${MAX_ENUM_VALUES} enum values in all`);
  const infinite = infiniteTarget(strict);
  if (infinite) refuse(infinite, "no finite value fits: its $refs loop back with no way out (give the loop a null, an optional property or an array that may be empty)");
  return strict;
}

function normalize(node: unknown, at: string, depth: number, walk: Walk): JsonObject {
  if (!isJsonObject(node)) return refuse(at, "must be a schema object (true/false schemas are not supported)");
  if (++walk.nesting > MAX_NESTING) refuse(at, `more than ${MAX_NESTING} levels of nested schemas`);
  for (const key of Object.keys(node)) {
    const known = SENT.has(key) || REBUILT.has(key) || ENFORCED_ON_ANSWER.has(key) || ANNOTATIONS.has(key);
    if (!known && !(at === "#" && (DEFINITIONS as readonly string[]).includes(key))) {
      refuse(at, `the keyword "${key}" is not supported by strict structured outputs`);
    }
  }
  const out: JsonObject = Object.fromEntries(Object.entries(node).filter(([key]) => SENT.has(key)));
  const types = typesOf(node, at);
  if (node.$ref !== undefined && (typeof node.$ref !== "string" || resolveRef(node.$ref, walk.root) === undefined)) {
    refuse(at, `$ref ${JSON.stringify(node.$ref)} must be "#" or name a definition in the root's $defs`);
  }
  if (Array.isArray(node.enum) && node.enum.length > 0) walk.enumValues += node.enum.length;
  else if (node.enum !== undefined) refuse(at, "enum must be a non-empty array");
  const branchKey = node.anyOf !== undefined ? "anyOf" : node.oneOf !== undefined ? "oneOf" : undefined;
  if (branchKey) {
    const branches = node[branchKey];
    if (!Array.isArray(branches) || branches.length === 0) refuse(at, `${branchKey} must be a non-empty array of schemas`);
    out.anyOf = (branches as unknown[]).map((branch, i) => normalize(branch, `${at}/${branchKey}/${i}`, depth, walk));
  }
  if (types.length === 0 && node.enum === undefined && node.const === undefined && !branchKey && node.$ref === undefined) {
    refuse(at, "needs a type");
  }
  if (types.includes("object")) Object.assign(out, strictObject(node, at, depth, walk));
  if (types.includes("array")) {
    if (!isJsonObject(node.items)) refuse(at, "an array needs an items schema");
    out.items = normalize(node.items, `${at}/items`, depth, walk);
  }
  const patternWhy = node.pattern === undefined ? null : patternProblem(node.pattern);
  if (patternWhy) refuse(at, `pattern ${JSON.stringify(node.pattern)} ${patternWhy}`);
  if (node.format !== undefined && !FORMATS.has(node.format as string)) {
    refuse(at, `format ${JSON.stringify(node.format)} is not supported; use one of ${[...FORMATS].join(", ")}`);
  }
  walk.nesting--;
  return out;
}

function typesOf(node: JsonObject, at: string): string[] {
  if (node.type === undefined) return [];
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const unknown = types.find((t) => typeof t !== "string" || !TYPES.has(t));
  if (unknown !== undefined || types.length === 0) refuse(at, `type must be one or more of ${[...TYPES].join(", ")}`);
  return types as string[];
}

function strictObject(node: JsonObject, at: string, depth: number, walk: Walk): JsonObject {
  if (depth > MAX_OBJECT_DEPTH) refuse(at, `more than ${MAX_OBJECT_DEPTH} levels of nested objects`);
  const { additionalProperties, required = [] } = node;
  if (additionalProperties !== undefined && typeof additionalProperties !== "boolean") {
    refuse(at, "additionalProperties as a schema (a free-form map) cannot be generated in strict mode; list the properties");
  }
  const properties = node.properties ?? (additionalProperties === false ? {} : undefined);
  if (!isJsonObject(properties)) return refuse(at, "an object needs its properties listed; strict mode cannot generate a free-form object");
  if (!Array.isArray(required) || !required.every((name) => typeof name === "string")) refuse(at, "required must be an array of property names");
  const missing = (required as string[]).find((name) => !Object.hasOwn(properties, name));
  if (missing !== undefined) refuse(at, `required names "${missing}", which is not in properties`);
  walk.properties += Object.keys(properties).length;
  const strictProperties = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => {
      const strict = normalize(property, `${at}/properties/${name}`, depth + 1, walk);
      const optional = !(required as string[]).includes(name) && !acceptsNull(property, walk.root);
      return [name, optional ? nullable(strict) : strict];
    }),
  );
  return { properties: strictProperties, required: Object.keys(properties), additionalProperties: false };
}

function nullable(schema: JsonObject): JsonObject {
  const plain = schema.enum === undefined && schema.const === undefined && schema.anyOf === undefined && schema.$ref === undefined;
  if (plain && schema.type !== undefined) return { ...schema, type: [schema.type, "null"].flat() };
  return { anyOf: [schema, { type: "null" }] };
}

/** The anyOf branch an answer's object or array came from: the first whose shape holds it. */
function shapeFits(value: unknown, schema: unknown, root: JsonObject, hops = 0): boolean {
  if (!isJsonObject(schema) || hops > MAX_REF_HOPS) return false;
  if (typeof schema.$ref === "string") return shapeFits(value, resolveRef(schema.$ref, root), root, hops + 1);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return branches.some((branch) => shapeFits(value, branch, root, hops + 1));
  const { properties } = schema;
  if (isJsonObject(value)) return isJsonObject(properties) && Object.keys(value).every((key) => Object.hasOwn(properties, key));
  if (Array.isArray(value)) return isJsonObject(schema.items);
  return true;
}

/**
 * The model's answer without the nulls that only normalization allowed: an optional property
 * the model set to null, where the caller's schema does not accept null, is left out instead.
 */
export function withoutAddedNulls(value: unknown, schema: unknown, root: JsonObject, hops = 0): unknown {
  if (!isJsonObject(schema) || hops > MAX_REF_HOPS) return value;
  if (typeof schema.$ref === "string") return withoutAddedNulls(value, resolveRef(schema.$ref, root), root, hops + 1);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) {
    const branch = branches.find((b) => shapeFits(value, b, root));
    return branch === undefined ? value : withoutAddedNulls(value, branch, root, hops + 1);
  }
  if (Array.isArray(value)) return value.map((item) => withoutAddedNulls(item, schema.items, root));
  const { properties } = schema;
  if (!isJsonObject(value) || !isJsonObject(properties)) return value;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const kept = Object.entries(value).filter(
    ([name, v]) => !(v === null && !required.has(name) && Object.hasOwn(properties, name) && !acceptsNull(properties[name], root)),
  );
  return Object.fromEntries(kept.map(([name, v]) => [name, withoutAddedNulls(v, properties[name], root)]));
}
