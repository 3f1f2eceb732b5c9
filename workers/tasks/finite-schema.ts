import { isJsonObject, type JsonObject, resolveRef } from "./json-schema";

function nodesOf(root: JsonObject): JsonObject[] {
  const nodes: JsonObject[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (!isJsonObject(node)) continue;
    nodes.push(node);
    const named = [node.$defs, node.definitions, node.properties].flatMap((map) => (isJsonObject(map) ? Object.values(map) : []));
    pending.push(...named, node.items, ...(Array.isArray(node.anyOf) ? node.anyOf : []));
  }
  // Parents were taken before their children: children first converges in fewer passes.
  return nodes.reverse();
}

function admitsValue(node: JsonObject, root: JsonObject, finite: Set<unknown>): boolean {
  if (typeof node.$ref === "string" && !finite.has(resolveRef(node.$ref, root))) return false;
  if (Array.isArray(node.anyOf) && !node.anyOf.some((branch) => finite.has(branch))) return false;
  const types = [node.type ?? []].flat();
  return (
    types.length === 0 ||
    types.some((type) => {
      if (type === "object") return (node.required as string[]).every((name) => finite.has((node.properties as JsonObject)[name]));
      if (type === "array") return !(Number(node.minItems) > 0) || finite.has(node.items);
      return true;
    })
  );
}

/**
 * Where a strict schema (strict-schema.ts) admits a finite value, read as the least fixpoint
 * of "a node admits one when its parts do": a $ref when its target does, anyOf when a branch
 * does, an object when every required property does (strict mode makes every property required,
 * an optional one nullable), an array when it may be empty or its items do; any other type does.
 * A `$ref` loop without a way out (`a: {$ref: b}, b: {$ref: a}`, or an object requiring itself)
 * admits none: the upstream cannot generate it, and tries until it fails.
 *
 * Answers the first $ref target ("#/$defs/NAME", then "#") that admits none, or null.
 */
export function infiniteTarget(strict: JsonObject): string | null {
  const nodes = nodesOf(strict);
  const finite = new Set<unknown>();
  for (let grown = true; grown; ) {
    grown = false;
    for (const node of nodes) {
      if (finite.has(node) || !admitsValue(node, strict, finite)) continue;
      finite.add(node);
      grown = true;
    }
  }
  for (const key of ["$defs", "definitions"] as const) {
    const defs = strict[key];
    const name = isJsonObject(defs) ? Object.keys(defs).find((n) => !finite.has(defs[n])) : undefined;
    if (name !== undefined) return `#/${key}/${name}`;
  }
  return finite.has(strict) ? null : "#";
}
