import type { Group, SpendRow } from "./spend";
import { metricsJson } from "./spend-json";

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
] as const;

/** The JSON name of a group column: `key` groups by `key_id`. */
export const groupColumn = (g: Group) => (g === "key" ? "key_id" : g);

/** nano-USD as an exact decimal (never 1e-9 notation), so a spreadsheet sums it to the cent. */
function decimalUsd(nano: number): string {
  const abs = Math.abs(nano);
  return `${nano < 0 ? "-" : ""}${Math.floor(abs / 1e9)}.${String(abs % 1e9).padStart(9, "0")}`;
}

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** RFC 4180 CSV: a header row, then one line per spend row, CRLF line ends. */
export function spendCsv(groupBy: Group[], rows: SpendRow[]): string {
  const header = [...groupBy.map(groupColumn), ...METRICS];
  const lines = rows.map((row) => {
    const json = metricsJson(row);
    const money = { cost_usd: row.costNano, mini_cost_usd: row.miniCostNano, saved_usd: row.miniCostNano - row.costNano };
    return [
      ...groupBy.map((g) => cell(row[g] ?? "")),
      ...METRICS.map((m) => (m in money ? decimalUsd(money[m as keyof typeof money]) : String(json[m]))),
    ].join(",");
  });
  return [header.join(","), ...lines].map((line) => `${line}\r\n`).join("");
}
