import { type Schema, Validator } from "@cfworker/json-schema";
import "./linear-formats";
import { patternWords, withLinearPatterns } from "./schema-patterns";

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Bounds $ref chains that never reach a value (`{$ref: "#/$defs/a"}` with a = itself). */
export const MAX_REF_HOPS = 32;

/** "#/a/0" → "/a/0"; the root reads as "(root)". */
function pointer(instanceLocation: string): string {
  return instanceLocation.replace(/^#/, "") || "(root)";
}

/**
 * Where `value` first breaks `schema`, as "at /path: reason", or null when it fits.
 * A schema that cannot be applied (a dangling $ref, a bad pattern) is reported the same way,
 * never thrown: the caller's schema is data, and its faults are the answer's to tell.
 * Its patterns run in linear time (schema-patterns.ts).
 */
export function schemaViolation(value: unknown, schema: JsonObject): string | null {
  try {
    // The validator annotates the schema objects it is given (and patterns are rewritten), so it gets its own copy.
    const validate = (copy: JsonObject) => new Validator(copy as Schema, "2020-12", true).validate(value);
    const result = withLinearPatterns(structuredClone(schema), value, validate);
    if (result.valid) return null;
    // Errors run from the outermost keyword to the innermost; the innermost says what broke.
    const innermost = result.errors.filter((e) => e.keyword !== "false").at(-1);
    return innermost ? `at ${pointer(innermost.instanceLocation)}: ${patternWords(innermost.error)}` : "it does not fit the schema";
  } catch (err) {
    return `the schema could not be applied: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
  }
}

/** The schema a local $ref names: "#", or a definition in the root's $defs (or definitions). */
export function resolveRef(ref: string, root: JsonObject): unknown {
  if (ref === "#") return root;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  const defs = match ? root[match[1] as string] : undefined;
  const name = match?.[2]?.replace(/~1/g, "/").replace(/~0/g, "~");
  return isJsonObject(defs) && name !== undefined && Object.hasOwn(defs, name) ? defs[name] : undefined;
}

/** Whether `schema` lets a value be null. */
export function acceptsNull(schema: unknown, root: JsonObject, hops = 0): boolean {
  if (!isJsonObject(schema) || hops > MAX_REF_HOPS) return false;
  if (typeof schema.$ref === "string") return acceptsNull(resolveRef(schema.$ref, root), root, hops + 1);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return branches.some((branch) => acceptsNull(branch, root, hops + 1));
  const types = schema.type === undefined ? ["null"] : [schema.type].flat();
  return types.includes("null") && (!Array.isArray(schema.enum) || schema.enum.includes(null)) && (!("const" in schema) || schema.const === null);
}
