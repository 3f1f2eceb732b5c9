import type { Group, SpendRow } from "./spend";
import { derived, metricsJson } from "./spend-json";

const METRICS = [
  "requests",
  "errors",
  "input_tokens",
  "cached_tokens",
  "output_tokens",
  "reasoning_tokens",
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

/** The JSON name of a group column: `key` groups by `key_id`. */
export const groupColumn = (g: Group) => (g === "key" ? "key_id" : g);

/** nano-USD as an exact decimal (never 1e-9 notation), so a spreadsheet sums it to the cent. */
function decimalUsd(nano: number): string {
  const abs = Math.abs(nano);
  return `${nano < 0 ? "-" : ""}${Math.floor(abs / 1e9)}.${String(abs % 1e9).padStart(9, "0")}`;
}

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Money as exact decimal dollars from nano-USD; a figure the samples cannot support (null) as an empty cell. */
function moneyCells(row: SpendRow): Partial<Record<(typeof METRICS)[number], string>> {
  const { measuredNano, costPerSuccessNano } = derived(row);
  const money = (nano: number | null | undefined) => (nano === null || nano === undefined ? "" : decimalUsd(nano));
  return {
    cost_usd: money(row.costNano),
    mini_cost_usd: money(row.miniCostNano),
    saved_usd: money(row.miniCostNano - row.costNano),
    shadow_cost_usd: money(row.shadowCostNano),
    mini_cost_usd_measured: money(measuredNano?.estimate),
    mini_cost_usd_measured_low: money(measuredNano?.low),
    mini_cost_usd_measured_high: money(measuredNano?.high),
    cost_per_success_usd: money(costPerSuccessNano),
  };
}

/** RFC 4180 CSV: a header row, then one line per spend row, CRLF line ends. */
export function spendCsv(groupBy: Group[], rows: SpendRow[]): string {
  const header = [...groupBy.map(groupColumn), ...METRICS];
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
