import Decimal from "decimal.js";
import { parse, stringify } from "lossless-json";
import type { Answer } from "./client";
import { CliError, EXIT } from "./exit";

/** Exact decimals: money may carry more digits than a double holds. Sums keep 40 significant digits. */
export const Exact = Decimal.clone({ precision: 40 });
export type Exact = Decimal;

/** A JSON value whose numbers are exact decimals, never doubles. */
export type Value = string | Exact | boolean | null | Value[] | { [name: string]: Value };
export type Row = Record<string, Value>;

export const isExact = (v: unknown): v is Exact => v instanceof Exact;

/** The answer's JSON with every number kept exactly as written. */
export function parseAnswer(answer: Answer): Row {
  let body: unknown;
  try {
    body = parse(answer.text, null, (literal) => new Exact(literal));
  } catch {
    body = undefined;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new CliError(EXIT.server, `the answer is not nanometer's JSON (content-type ${answer.contentType || "none"}): is NANOMETER_URL right?`);
  }
  return body as Row;
}

const isRecord = (v: Value): v is { [name: string]: Value } => v !== null && typeof v === "object" && !Array.isArray(v) && !isExact(v);

/** A row with its nested objects spread into dotted columns (`spend.day.spent_usd`), so a table or CSV shows each figure. */
export function flatRow(row: Row, prefix = ""): Row {
  return Object.assign(
    {},
    ...Object.entries(row).map(([name, value]) => (isRecord(value) ? flatRow(value, `${prefix}${name}.`) : { [`${prefix}${name}`]: value })),
  );
}

/** A list of rows in the answer (`rows`, `data`), flattened; a missing one means NANOMETER_URL points elsewhere. */
export function rowsOf(body: Row, field: string): Row[] {
  const rows = body[field];
  if (!Array.isArray(rows)) throw new CliError(EXIT.server, `the answer has no "${field}" list: is NANOMETER_URL nanometer?`);
  return (rows as Row[]).map((row) => flatRow(row));
}

/** Compact JSON of a nested value, its numbers written as they came. */
export const jsonOf = (value: Value) =>
  stringify(value, null, undefined, [{ test: isExact, stringify: (v) => (v as Exact).toString() }]) ?? "";
