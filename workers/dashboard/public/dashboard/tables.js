// The spend tables (per endpoint, model, tier, tag value) and the cells every table is built
// of, with textContent only (no markup from data).
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

/** The columns measured from shadow calls, whose heading says so when hovered. */
const SHADOWED = new Set(["mini_cost_usd_measured", "agreement"]);
const FROM_SHADOW = "From shadow calls (SHADOW_RATE): “—” where there is none to measure from";

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

/** Fills `table` with a header of `labels` and `rows`, or one row saying `empty`. */
export function fill(table, labels, rows, empty) {
  const body = wrap("tbody", ...rows);
  if (rows.length === 0) body.append(wrap("tr", cell("td", empty, { colspan: String(labels.length), class: "empty" })));
  table.replaceChildren(wrap("thead", wrap("tr", ...labels.map((label) => cell("th", label, { scope: "col" })))), body);
}

export const moneyCell = (name, value) => cell("td", usd(value), { "data-field": name, "data-value": String(value), title: exactUsd(value) });
export const textCell = (name, value, tag = "td") => cell(tag, value ?? "—", { "data-field": name, "data-value": value ?? "" });
export const countCell = (name, value) => cell("td", count(value), { "data-field": name, "data-value": String(value) });

/**
 * A row's name, as a button that narrows Recent requests to it (`kind`: endpoint, model, tier, tag,
 * user, and `value`, `key` its key for an end user), or as text.
 */
export function pickable(text, kind, value, key) {
  const th = cell("th", "", { scope: "row" });
  if (!kind) th.textContent = text;
  else th.append(cell("button", text, { type: "button", class: "pick", "data-narrow": kind, "data-value": value, ...(key && { "data-key": key }) }));
  return th;
}

/** A row: its heading cell, then one cell per metric with the raw value in `data-value` ("" for none). */
function metricRow(heading, m) {
  const tr = wrap("tr", heading);
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

/** What narrows Recent requests to a row: its group value, or `<name>:<value>` for a tag's. */
const narrowValue = (group, value) => (group.startsWith("tag:") ? `${group.slice(4)}:${value}` : value);

/**
 * Fills `table` with one row per group value (`table.dataset.group`: a spend row's group column,
 * `tag:<name>` for a tag's values, whose calls without it come last as "—") and a total row.
 */
export function renderTable(table, rows, totals) {
  const { group, narrow } = table.dataset;
  const head = wrap("tr", cell("th", GROUP_LABELS[group] ?? group, { scope: "col" }));
  for (const [name, label] of COLUMNS) head.append(cell("th", label, { scope: "col", ...(SHADOWED.has(name) && { title: FROM_SHADOW }) }));

  const body = wrap("tbody");
  for (const row of rows) {
    const value = row[group];
    const heading = value === null ? pickable("—") : pickable(value, narrow, narrowValue(group, value));
    if (value === null) heading.title = `calls without ${GROUP_LABELS[group] ?? group}`;
    const tr = metricRow(heading, row);
    tr.dataset.row = value ?? "";
    body.append(tr);
  }
  const empty = { colspan: String(COLUMNS.length + 1), class: "empty" };
  if (rows.length === 0) body.append(wrap("tr", cell("td", "No calls in this range.", empty)));

  table.replaceChildren(wrap("thead", head), body, wrap("tfoot", metricRow(cell("th", "Total", { scope: "row" }), totals)));
}
