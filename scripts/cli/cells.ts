import { type Exact, isExact, jsonOf, type Value } from "./answer";
import { oneLine } from "./visible";

/**
 * How a table shows its columns: numbers right-aligned with one number of decimals per column (so
 * decimal points line up), everything else as text, null as "-". Money (a name ending in `_usd`)
 * gets the same decimals in every money column of the table: at least 2, and as many more as the
 * smallest non-zero amount needs for 3 significant digits, up to 12 (the API's exactness, 1e-12
 * USD). A single nano call costs about $0.0001, which 2 or 4 fixed decimals would show as 0.
 * Other fractions (ratios) get 3 significant digits too, up to 6 decimals; whole numbers none.
 * Text is one line, its control characters shown as escapes (visible.ts).
 */
export interface Format {
  numeric: boolean;
  show(value: Value | undefined): string;
}

const SIGNIFICANT = 3;
const isMoney = (column: string) => column.endsWith("_usd");

function decimalsFor(numbers: Exact[], money: boolean): number {
  if (!money && numbers.every((n) => n.isInteger())) return 0;
  // Decimal's `e` is the exponent of the leading digit: 0.000135 has e = -4.
  const exponents = numbers.filter((n) => !n.isZero()).map((n) => n.e);
  const needed = SIGNIFICANT - 1 - (exponents.length ? Math.min(...exponents) : 0);
  return money ? Math.min(12, Math.max(2, needed)) : Math.min(6, Math.max(0, needed));
}

function text(value: Value | undefined): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return oneLine(value);
  if (typeof value === "boolean") return String(value);
  if (isExact(value)) return value.toFixed();
  return oneLine(jsonOf(value));
}

const present = (values: (Value | undefined)[]) => values.filter((v) => v !== null && v !== undefined);

/** One format per column, from the values it shows (`valuesOf` includes the totals). */
export function formatsFor(columns: string[], valuesOf: (column: string) => (Value | undefined)[]): Format[] {
  const moneyDecimals = decimalsFor(columns.filter(isMoney).flatMap(valuesOf).filter(isExact), true);
  return columns.map((column) => {
    const values = present(valuesOf(column));
    if (values.length === 0 || !values.every(isExact)) return { numeric: false, show: text };
    const decimals = isMoney(column) ? moneyDecimals : decimalsFor(values, false);
    return { numeric: true, show: (v) => (isExact(v) ? v.toFixed(decimals) : text(v)) };
  });
}
