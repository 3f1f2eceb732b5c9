import { format, schemaArrayKeyword, schemaKeyword, schemaMapKeyword } from "@cfworker/json-schema";
import { RE2JS } from "re2js";
import { isJsonObject, type JsonObject } from "./json-schema";

/**
 * A schema's regular expressions (`pattern`, the names of `patternProperties`) run by RE2, in
 * time linear in the text. The validator (@cfworker/json-schema) would run them with the
 * backtracking RegExp, where `^(a+)+$` against 30 characters takes seconds: a caller's schema
 * and a model's answer must not buy that much CPU. Written in JSON Schema's (ECMA-262) syntax,
 * translated to RE2's; backreferences and lookaround, which RE2 cannot run, are refused.
 */
export function compilePattern(pattern: string): RE2JS {
  return RE2JS.compile(RE2JS.translateRegExp(pattern));
}

/** The schemas a schema holds, walked without recursion (a caller's schema may nest past any stack). */
function eachSchema(root: JsonObject, visit: (node: JsonObject, at: string) => void) {
  const pending: [unknown, string][] = [[root, "#"]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, at] = next;
    if (!isJsonObject(node)) continue;
    visit(node, at);
    for (const [key, sub] of Object.entries(node)) {
      const where = `${at}/${key}`;
      if (Array.isArray(sub) && Object.hasOwn(schemaArrayKeyword, key)) sub.forEach((s, i) => pending.push([s, `${where}/${i}`]));
      else if (isJsonObject(sub) && Object.hasOwn(schemaMapKeyword, key)) for (const [name, s] of Object.entries(sub)) pending.push([s, `${where}/${name}`]);
      else if (Object.hasOwn(schemaKeyword, key)) pending.push([sub, where]);
    }
  }
}

/** Each regular expression of one schema node, with where it is. */
const patternsAt = (node: JsonObject, at: string): [pattern: unknown, at: string][] => [
  ...(node.pattern === undefined ? [] : [[node.pattern, at] as [unknown, string]]),
  ...(isJsonObject(node.patternProperties) ? Object.keys(node.patternProperties).map((p): [unknown, string] => [p, `${at}/patternProperties`]) : []),
];

/** Why a pattern cannot be run in linear time, or null when RE2 compiles it. */
export function patternProblem(pattern: unknown): string | null {
  try {
    if (typeof pattern !== "string") return "must be a string";
    compilePattern(pattern);
    return null;
  } catch (err) {
    return `is not a valid regular expression for RE2 (linear-time matching: no backreferences or lookaround): ${(err as Error).message}`;
  }
}

/** Where a schema's first pattern RE2 cannot run is, and why ("at #/properties/code: pattern ... is not ..."), or null. */
export function schemaPatternProblem(schema: JsonObject): string | null {
  let problem: string | null = null;
  eachSchema(schema, (node, at) => {
    for (const [pattern, where] of patternsAt(node, at)) {
      const why = problem === null ? patternProblem(pattern) : null;
      if (why) problem = `at ${where}: pattern ${JSON.stringify(pattern)} ${why}`;
    }
  });
  return problem;
}

/** The validator's table names a pattern's check by this prefix, then the pattern. */
const PATTERN_FORMAT = "pattern ";
const FAILED_PATTERN = `String does not match format "${PATTERN_FORMAT}`;

/** Every object key in a value, walked without recursion. */
function keysIn(value: unknown): Set<string> {
  const keys = new Set<string>();
  const pending = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Array.isArray(next)) pending.push(...next);
    else if (isJsonObject(next)) {
      for (const key of Object.keys(next)) keys.add(key);
      pending.push(...Object.values(next));
    }
  }
  return keys;
}

/**
 * Runs `check` on a copy of `schema` (which it changes) whose regular expressions RE2 answers:
 * each `pattern` becomes a format of the validator's table, checked by RE2 (in allOf, beside the
 * node's own format); `patternProperties` becomes the `properties` it amounts to for the keys
 * `value` has (the same checks: on each such key's value, and those keys are not "additional").
 * The formats are the validator's global table, so they are taken out again; `check` is
 * synchronous, so no other check sees them.
 */
export function withLinearPatterns<T>(copy: JsonObject, value: unknown, check: (schema: JsonObject) => T): T {
  const added: string[] = [];
  const keyed: JsonObject[] = [];
  try {
    eachSchema(copy, (node) => {
      if (typeof node.pattern === "string") {
        const name = PATTERN_FORMAT + node.pattern;
        const regex = compilePattern(node.pattern);
        format[name] = (text) => regex.test(text);
        added.push(name);
        node.allOf = [...((node.allOf as unknown[] | undefined) ?? []), { format: name }];
        delete node.pattern;
      }
      if (node.patternProperties !== undefined) keyed.push(node);
    });
    if (keyed.length > 0) {
      const keys = keysIn(value);
      for (const node of keyed) asProperties(node, keys);
    }
    return check(copy);
  } finally {
    for (const name of added) delete format[name];
  }
}

function asProperties(node: JsonObject, keys: Set<string>) {
  const properties = new Map(Object.entries(isJsonObject(node.properties) ? node.properties : {}));
  for (const [pattern, schema] of Object.entries(node.patternProperties as JsonObject)) {
    const regex = compilePattern(pattern);
    for (const key of keys) {
      if (!regex.test(key)) continue;
      const listed = properties.get(key);
      properties.set(key, listed === undefined ? schema : { allOf: [listed, schema] });
    }
  }
  node.properties = Object.fromEntries(properties);
  delete node.patternProperties;
}

/** The validator's words for a failed pattern check, as its own: "String does not match pattern ^[0-9]{6}$." */
export function patternWords(error: string): string {
  return error.startsWith(FAILED_PATTERN) ? `String does not match pattern ${error.slice(FAILED_PATTERN.length, -2)}.` : error;
}
