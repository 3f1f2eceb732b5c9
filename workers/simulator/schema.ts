/**
 * Generates a deterministic value that is valid against a JSON Schema (the subset used by
 * OpenAI structured outputs plus common validation keywords; `pattern` is not honoured).
 */
import { hexId, pick, unitFloat } from './hash';
import type { JsonSchema } from './types';

/** Beyond this nesting depth, optional branches (nulls, empty arrays, optional keys) are taken. */
const MAX_DEPTH = 6;

export type SchemaContext = {
  root: JsonSchema;
  /** Seed from the last user message, so different inputs may give different values. */
  seed: number;
  /** Words of the last user message, used to build strings. */
  words: string[];
};

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T00:00:00Z',
  date: '2025-01-01',
  time: '12:00:00',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith('#')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const segment of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`unresolvable $ref ${ref}`);
  return node as JsonSchema;
}

function mergeAllOf(schema: JsonSchema, ctx: SchemaContext): JsonSchema {
  const parts = (schema.allOf ?? []).map((part) => (part.$ref ? resolveRef(part.$ref, ctx.root) : part));
  const merged: JsonSchema = { ...schema, allOf: undefined };
  for (const part of parts) {
    Object.assign(merged, part, {
      properties: { ...merged.properties, ...part.properties },
      required: [...(merged.required ?? []), ...(part.required ?? [])],
    });
  }
  return merged;
}

function isNullOnly(schema: JsonSchema): boolean {
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.every((t) => t === 'null'));
}

function chooseType(schema: JsonSchema, depth: number): string {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('null') && (depth >= MAX_DEPTH || types.length === 1)) return 'null';
  const concrete = types.find((t) => t !== 'null');
  if (concrete) return concrete;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return 'string';
}

function generateString(schema: JsonSchema, ctx: SchemaContext, path: string): string {
  const format = schema.format;
  let text: string;
  if (format === 'uuid') {
    const hex = hexId(`${ctx.seed}:${path}`, 32);
    text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  } else if (format && FORMAT_EXAMPLES[format]) {
    text = FORMAT_EXAMPLES[format];
  } else if (ctx.words.length === 0) {
    text = 'sim';
  } else {
    const start = Math.floor(unitFloat(ctx.seed, `${path}:start`) * ctx.words.length);
    text = ctx.words.slice(start, start + 3).join(' ');
  }
  const minLength = schema.minLength ?? 0;
  if (text.length < minLength) text = text.padEnd(minLength, 'x');
  return schema.maxLength === undefined ? text : text.slice(0, schema.maxLength);
}

/** A numeric keyword, or the fallback (draft-04 boolean exclusive bounds are ignored). */
function bound(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function generateNumber(schema: JsonSchema, integer: boolean, ctx: SchemaContext, path: string): number {
  const exclusiveMinimum = bound(schema.exclusiveMinimum, -Infinity);
  const exclusiveMaximum = bound(schema.exclusiveMaximum, Infinity);
  let low = Math.max(bound(schema.minimum, -Infinity), exclusiveMinimum);
  let high = Math.min(bound(schema.maximum, Infinity), exclusiveMaximum);
  if (!Number.isFinite(low) && !Number.isFinite(high)) [low, high] = [0, 100];
  else if (!Number.isFinite(low)) low = high - 100;
  else if (!Number.isFinite(high)) high = low + 100;
  const step = schema.multipleOf ?? (integer ? 1 : 0.01);
  let first = Math.ceil(low / step);
  let last = Math.floor(high / step);
  if (first * step <= exclusiveMinimum) first++;
  if (last * step >= exclusiveMaximum) last--;
  if (last < first) return (low + high) / 2;
  const k = first + Math.floor(unitFloat(ctx.seed, path) * (last - first + 1));
  return Number((k * step).toFixed(integer ? 0 : 10));
}

function generateArray(schema: JsonSchema, ctx: SchemaContext, path: string, depth: number): unknown[] {
  const minItems = schema.minItems ?? 0;
  const maxItems = schema.maxItems ?? Math.max(minItems, 3);
  const count = depth >= MAX_DEPTH ? minItems : Math.max(minItems, Math.min(maxItems, 2));
  const itemSchema = schema.items ?? {};
  const items: unknown[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; items.length < count && attempt < count * 8; attempt++) {
    const item = generateValue(itemSchema, ctx, `${path}[${attempt}]`, depth + 1);
    const key = JSON.stringify(item);
    if (schema.uniqueItems && seen.has(key)) continue;
    seen.add(key);
    items.push(item);
  }
  return items;
}

function generateObject(schema: JsonSchema, ctx: SchemaContext, path: string, depth: number): object {
  const required = new Set(schema.required ?? []);
  const result: Record<string, unknown> = {};
  for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
    if (depth >= MAX_DEPTH && !required.has(key)) continue;
    result[key] = generateValue(propertySchema, ctx, `${path}.${key}`, depth + 1);
  }
  return result;
}

export function generateValue(schema: JsonSchema, ctx: SchemaContext, path = '$', depth = 0): unknown {
  if (schema.$ref) return generateValue(resolveRef(schema.$ref, ctx.root), ctx, path, depth);
  if (schema.allOf) return generateValue(mergeAllOf(schema, ctx), ctx, path, depth);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return pick(schema.enum, ctx.seed, path);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) {
    const concrete = variants.filter((variant) => !isNullOnly(variant));
    const nullVariant = variants.find(isNullOnly);
    if (nullVariant && (depth >= MAX_DEPTH || concrete.length === 0)) return null;
    return generateValue(pick(concrete, ctx.seed, `${path}:variant`), ctx, path, depth);
  }
  switch (chooseType(schema, depth)) {
    case 'null':
      return null;
    case 'boolean':
      return unitFloat(ctx.seed, path) < 0.5;
    case 'integer':
      return generateNumber(schema, true, ctx, path);
    case 'number':
      return generateNumber(schema, false, ctx, path);
    case 'array':
      return generateArray(schema, ctx, path, depth);
    case 'object':
      return generateObject(schema, ctx, path, depth);
    default:
      return generateString(schema, ctx, path);
  }
}
