// The per-endpoint, per-model and per-tier tables, built with textContent only (no markup from data).
import { count, exactUsd, interval, orDash, percent, savingRatio, usd } from "./format.js";

// [metric, label, pick, format, title, 95% interval under the figure]
const COLUMNS = [
  ["requests", "Requests", (m) => m.requests, count],
  ["errors", "Errors", (m) => m.errors, count],
  ["cost_usd", "Spent (nano)", (m) => m.cost_usd, usd, exactUsd],
  ["mini_cost_usd", "At mini (same tokens)", (m) => m.mini_cost_usd, usd, exactUsd],
  ["mini_cost_usd_measured", "At mini (measured)", (m) => m.mini_cost_usd_measured, orDash(usd), orDash(exactUsd),
    (m) => interval(m.mini_cost_usd_measured_low, m.mini_cost_usd_measured_high, usd)],
  ["saved_usd", "Saved", (m) => m.saved_usd, usd, exactUsd],
  ["saving_ratio", "Saving", savingRatio, percent],
  ["agreement", "Agrees with mini", (m) => m.agreement, percent, undefined, (m) => interval(m.agreement_low, m.agreement_high, percent)],
  ["cache_hit_ratio", "Cache hits", (m) => m.cache_hit_ratio, percent],
];

export function cell(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  el.textContent = text;
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  return el;
}

export function wrap(tag, ...children) {
  const el = document.createElement(tag);
  el.append(...children);
  return el;
}

/** A row: its heading cell, then one cell per metric with the raw value in `data-value` ("" for none). */
function metricRow(heading, m) {
  const tr = wrap("tr", cell("th", heading, { scope: "row" }));
  for (const [name, , pick, format, title, detail] of COLUMNS) {
    const value = pick(m);
    const td = cell("td", format(value), { "data-metric": name, "data-value": String(value ?? ""), ...(title && { title: title(value) }) });
    const range = detail?.(m);
    if (range) td.append(cell("small", range, { title: "95% interval" }));
    tr.append(td);
  }
  return tr;
}

const GROUP_LABELS = { endpoint: "Endpoint", model: "Model", service_tier: "Tier" };

/** Fills `table` with one row per group value (`table.dataset.group`: a spend row's group column) and a total row. */
export function renderTable(table, rows, totals) {
  const group = table.dataset.group;
  const head = wrap("tr", cell("th", GROUP_LABELS[group] ?? group, { scope: "col" }));
  for (const [, label] of COLUMNS) head.append(cell("th", label, { scope: "col" }));

  const body = wrap("tbody");
  for (const row of rows) {
    const tr = metricRow(row[group], row);
    tr.dataset.row = row[group];
    body.append(tr);
  }
  const empty = { colspan: String(COLUMNS.length + 1), class: "empty" };
  if (rows.length === 0) body.append(wrap("tr", cell("td", "No calls in this range.", empty)));

  table.replaceChildren(wrap("thead", head), body, wrap("tfoot", metricRow("Total", totals)));
}
