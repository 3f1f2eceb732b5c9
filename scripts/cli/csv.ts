import { isExact, jsonOf, type Row, type Value } from "./answer";
import { fieldsOf } from "./table";

/** A CSV field: numbers as plain exact decimals (never 1e-9 notation), null as empty, nested values as JSON. */
function field(value: Value | undefined): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : isExact(value) ? value.toFixed() : typeof value === "boolean" ? String(value) : jsonOf(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180: a header of every field the rows have, one line per row, CRLF line ends. */
export function csvOf(rows: Row[]): string {
  if (rows.length === 0) return "";
  const columns = fieldsOf(rows);
  const lines = [columns.map((c) => field(c)), ...rows.map((row) => columns.map((c) => field(row[c])))];
  return lines.map((line) => `${line.join(",")}\r\n`).join("");
}
