/** Shared rules for whether nano's and mini's answers agree (shadow comparison). */

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Two rankings agree when their top-k sets share at least half their members. */
export function topKAgree(a: readonly number[], b: readonly number[]): boolean {
  const k = Math.min(a.length, b.length);
  if (k === 0) return a.length === b.length;
  const top = new Set(a.slice(0, k));
  const shared = b.slice(0, k).filter((i) => top.has(i)).length;
  return shared * 2 >= k;
}
