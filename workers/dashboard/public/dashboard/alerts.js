// Budget use (GET /v1/spend/budgets) and the alerts of the range (GET /v1/admin/alerts), built
// with textContent only (no markup from data).
import { get } from "./api.js";
import { percent, usd } from "./format.js";
import { cell, fill, moneyCell as money, textCell as text, wrap } from "./tables.js";

/** A day (YYYY-MM-DD) or a month (YYYY-MM), said so. */
const periodLabel = (period) => `${period} (${period.length === 7 ? "month" : "day"})`;

/** One row per key and budget period: spent, budget, and a bar of the share used. */
function renderBudgets(table, budgets) {
  const rows = budgets.map((b) => {
    const used = cell("td", percent(b.used), { "data-field": "used", "data-value": String(b.used) });
    used.append(Object.assign(document.createElement("meter"), { min: 0, max: 1, low: 0.5, high: 0.8, optimum: 0, value: Math.min(b.used, 1) }));
    const tr = wrap("tr", cell("th", b.key_name, { scope: "row", title: b.key_id }), text("period", periodLabel(b.period)), money("spent_usd", b.spent_usd), money("budget_usd", b.budget_usd), used);
    tr.dataset.row = `${b.key_id}:${b.period}`;
    return tr;
  });
  fill(table, ["Key", "Period", "Spent", "Budget", "Used"], rows, "No key has a budget.");
}

const TYPES = { budget_threshold: "Budget", spend_anomaly: "Anomaly" };

/** What an event says in a few words: the threshold of a budget, an anomaly against its trailing mean. */
function summary(a) {
  if (a.type === "budget_threshold") return `${percent(a.threshold)} of ${usd(a.budget_usd)}`;
  if (a.trailing_mean_usd === 0) return "no spend in the 7 days before";
  return `${(a.spent_usd / a.trailing_mean_usd).toFixed(1)}× the daily mean of ${usd(a.trailing_mean_usd)}`;
}

/** One row per event, newest first, with where its delivery stands. */
function renderAlerts(table, alerts) {
  const rows = alerts.map((a) => {
    const attempts = a.delivery.attempts === 1 ? "1 attempt" : `${a.delivery.attempts} attempts`;
    const tr = wrap(
      "tr",
      cell("th", a.created.replace("T", " ").slice(0, 19), { scope: "row", title: a.created }),
      text("type", TYPES[a.type] ?? a.type),
      cell("td", a.key_name, { "data-field": "key_name", title: a.key_id }),
      text("period", a.period),
      text("summary", summary(a)),
      money("spent_usd", a.spent_usd),
      cell("td", `${a.delivery.state}, ${attempts}`, { "data-field": "delivery", "data-value": a.delivery.state, title: a.delivery.last_error ?? "" }),
    );
    tr.dataset.row = a.id;
    return tr;
  });
  fill(table, ["Time (UTC)", "Type", "Key", "Period", "What", "Spent", "Delivery"], rows, "No alerts in this range.");
}

const ALERTS_SHOWN = 200;
const $ = (selector) => document.querySelector(selector);

/**
 * Budget use (a key's own; for the admin every key's, or the filtered key's) and, for the admin,
 * the alerts of the range.
 */
export async function budgetsAndAlerts({ from, to, key_id }, admin) {
  const budgets = await (await get("/v1/spend/budgets", { key_id })).json();
  if (!admin) return { budgets, alerts: null };
  return { budgets, alerts: await (await get("/v1/admin/alerts", { from, to, key_id, limit: String(ALERTS_SHOWN) })).json() };
}

export function renderBudgetsAndAlerts({ budgets, alerts }) {
  renderBudgets($("#budgets"), budgets.data);
  $("#alerts-section").hidden = alerts === null;
  if (alerts === null) return;
  renderAlerts($("#alerts"), alerts.data);
  $("#alerts-more").hidden = alerts.next_cursor === null;
}
