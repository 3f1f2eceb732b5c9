import { isExact, jsonOf, type Row, type Value } from "./answer";
import { fieldsOf } from "./table";
import { visible } from "./visible";

/**
 * Text a spreadsheet would run as a formula (=, +, -, @, or a tab before one) starts with a `'`,
 * so a stored value cannot compute or fetch anything when the CSV is opened (OWASP's CSV
 * injection rule; a CR it also names is already escaped by `visible`). Numbers are not text:
 * -0.0003 stays a number.
 */
const FORMULA_START = /^[=+\-@\t]/;
const asText = (text: string) => {
  const shown = visible(text);
  return FORMULA_START.test(shown) ? `'${shown}` : shown;
};

/** A CSV field: numbers as plain exact decimals (never 1e-9 notation), null as empty, nested values as JSON. */
function field(value: Value | undefined): string {
  if (value === null || value === undefined) return "";
  const text = isExact(value) ? value.toFixed() : typeof value === "boolean" ? String(value) : asText(typeof value === "string" ? value : jsonOf(value));
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180: a header of every field the rows have, one line per row, CRLF line ends. */
export function csvOf(rows: Row[]): string {
  if (rows.length === 0) return "";
  const columns = fieldsOf(rows);
  const lines = [columns.map((c) => field(c)), ...rows.map((row) => columns.map((c) => field(row[c])))];
  return lines.map((line) => `${line.join(",")}\r\n`).join("");
}
