import stringWidth from "string-width";
import type { Row } from "./answer";
import { formatsFor } from "./cells";
import { usageError } from "./exit";
import { oneLine } from "./visible";

/** What a command shows as a table: its rows, their totals, and which columns come first or by default. */
export interface View {
  rows: Row[];
  totals?: Row;
  /** Always shown, first: spend's group columns, cache's endpoint. */
  leading: string[];
  /** The other columns shown without --columns, in this order (those the answer has); "all" for every one. */
  defaults: readonly string[] | "all";
  /** Columns cut to this many terminal columns, ending in "…", so that a long value does not widen the table. */
  widest?: Record<string, number>;
}

/** Every field of the rows (and totals), in the order the answer gives them. */
export const fieldsOf = (rows: Row[]) => [...new Set(rows.flatMap((row) => Object.keys(row)))];

/** `--columns`: absent for the defaults, `all`, or a comma-separated list of the answer's field names. */
export function chooseColumns(view: View, option: string | undefined): string[] {
  const fields = fieldsOf(view.totals ? [...view.rows, view.totals] : view.rows);
  const rest = fields.filter((f) => !view.leading.includes(f));
  if (option === "all") return [...view.leading, ...rest];
  if (option === undefined) return [...view.leading, ...(view.defaults === "all" ? rest : view.defaults.filter((f) => rest.includes(f)))];
  const asked = option.split(",").map((c) => c.trim()).filter(Boolean);
  const unknown = asked.filter((c) => !fields.includes(c));
  if (fields.length > 0 && unknown.length > 0) throw usageError(`no column ${unknown.join(", ")} in this answer; it has ${rest.join(", ")}`);
  return [...view.leading, ...asked.filter((c) => !view.leading.includes(c))];
}

function cut(cell: string, width: number | undefined): string {
  if (width === undefined || stringWidth(cell) <= width) return cell;
  let kept = "";
  for (const character of cell) {
    if (stringWidth(kept + character) >= width) break;
    kept += character;
  }
  return `${kept}…`;
}

const pad = (cell: string, width: number, right: boolean) => {
  const gap = " ".repeat(Math.max(0, width - stringWidth(cell)));
  return right ? gap + cell : cell + gap;
};

/**
 * An aligned table: a header of field names, the rows, then a rule and the totals, labelled
 * "total" in the first column when that column has no total of its own.
 */
export function renderTable(view: View, columns: string[]): string {
  const formats = formatsFor(columns, (c) => [...view.rows.map((r) => r[c]), view.totals?.[c]]);
  const cells = (row: Row) => columns.map((c, i) => cut(formats[i]!.show(row[c]), view.widest?.[c]));
  const lines = [columns.map(oneLine), ...view.rows.map(cells)];
  if (view.totals) {
    const totals = columns.map((c, i) => (view.totals![c] === undefined ? "" : formats[i]!.show(view.totals![c])));
    if (totals[0] === "") totals[0] = "total";
    lines.push(totals);
  }
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => stringWidth(line[i]!))));
  const layout = (line: string[]) => line.map((cell, i) => pad(cell, widths[i]!, formats[i]!.numeric)).join("  ").trimEnd();
  const text = lines.map(layout);
  if (view.totals) text.splice(text.length - 1, 0, layout(widths.map((w) => "-".repeat(w))));
  return `${text.join("\n")}\n`;
}
