import { type Pico, usdDecimal } from "../metering/money";
import { groupColumn } from "./attribution-params";
import type { Group, SpendRow } from "./spend";
import { derived, metricsJson } from "./spend-json";

const METRICS = [
  "requests",
  "errors",
  "input_tokens",
  "cached_tokens",
  "output_tokens",
  "reasoning_tokens",
  "cache_write_tokens",
  "cost_usd",
  "mini_cost_usd",
  "saved_usd",
  "cache_hit_ratio",
  "escalations",
  "shadow_requests",
  "shadow_cost_usd",
  "agreement",
  "agreement_low",
  "agreement_high",
  "mini_cost_usd_measured",
  "mini_cost_usd_measured_low",
  "mini_cost_usd_measured_high",
  "cost_per_success_usd",
] as const;

/** What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell: one a spreadsheet would run as a formula gets a leading `'`, so a stored end user
 * or tag value cannot compute or fetch anything when the file is opened; then RFC 4180 quoting.
 * Numbers never pass through here: -0.0003 stays a number.
 */
export function cell(text: string): string {
  const inert = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/**
 * Money as exact decimal dollars with all twelve decimals (never 1e-12 notation), so a
 * spreadsheet sums it exactly; a figure the samples cannot support (null) as an empty cell.
 */
function moneyCells(row: SpendRow): Partial<Record<(typeof METRICS)[number], string>> {
  const { measuredPico, costPerSuccessPico } = derived(row);
  const money = (pico: Pico | null | undefined) => (pico === null || pico === undefined ? "" : usdDecimal(pico, 12));
  return {
    cost_usd: money(row.costPico),
    mini_cost_usd: money(row.miniCostPico),
    saved_usd: money(row.miniCostPico - row.costPico),
    shadow_cost_usd: money(row.shadowCostPico),
    mini_cost_usd_measured: money(measuredPico?.estimate),
    mini_cost_usd_measured_low: money(measuredPico?.low),
    mini_cost_usd_measured_high: money(measuredPico?.high),
    cost_per_success_usd: money(costPerSuccessPico),
  };
}

/** RFC 4180 CSV: a header row, then one line per spend row (a group without a value: an empty cell), CRLF line ends. */
export function spendCsv(groupBy: Group[], rows: SpendRow[], tagName?: string): string {
  const header = [...groupBy.map((g) => groupColumn(g, tagName)), ...METRICS];
  const lines = rows.map((row) => {
    const json = metricsJson(row);
    const money = moneyCells(row);
    return [
      ...groupBy.map((g) => cell(row[g] ?? "")),
      ...METRICS.map((m) => money[m] ?? String(json[m] ?? "")),
    ].join(",");
  });
  return [header.join(","), ...lines].map((line) => `${line}\r\n`).join("");
}
