// The cards above the chart: the range's totals, Batch API spend and the monthly projection, and
// what a figure needs before it means something. Built with textContent only.
import { count, exactUsd, interval, moneyDecimals, orDash, percent, savingRatio, usdFixed } from "./format.js";

const $ = (selector) => document.querySelector(selector);

function setMetric(name, value, format, title) {
  for (const el of $("#report").querySelectorAll(`output[data-metric="${name}"]`)) {
    el.textContent = format(value);
    el.dataset.value = String(value ?? "");
    if (title) el.title = title(value);
  }
}

/**
 * Why the run-rate may read low, or undefined: days of its basis without spend (`days`: rows of a
 * group_by=day answer over the basis). The card says which days it is the rate of (#basis).
 */
export function basisHint(projection, days) {
  const spent = days.filter((r) => r.day >= projection.basis_from && r.day <= projection.basis_to && r.cost_usd > 0).length;
  if (spent === 0) return `No spend in those ${projection.basis_days} days yet: a day's calls count once the day is over.`;
  if (spent < projection.basis_days) return `Only ${spent} of those ${projection.basis_days} days had spend: the rate reads low until all do.`;
  return undefined;
}

function note(el, text) {
  el.textContent = text ?? "";
  el.hidden = text === undefined;
}

/**
 * Every card of `days` (GET /v1/spend?group_by=day), the batch tier of `tierRows`, and the hint of
 * the projection from its `basisDays`. Every amount with the same decimals (moneyDecimals).
 */
export function renderCards({ totals, projection }, tierRows, basisDays) {
  // Batch API spend: the batch tier apart, and its saving against mini's batch price.
  const batch = tierRows.find((row) => row.service_tier === "batch");
  const money = {
    cost_usd: totals.cost_usd,
    mini_cost_usd: totals.mini_cost_usd,
    saved_usd: totals.saved_usd,
    mini_cost_usd_measured: totals.mini_cost_usd_measured,
    shadow_cost_usd: totals.shadow_cost_usd,
    batch_cost_usd: batch?.cost_usd ?? 0,
    batch_saved_usd: batch?.saved_usd ?? 0,
    monthly_usd: projection.monthly_usd,
    monthly_mini_usd: projection.monthly_mini_usd,
  };
  const cardUsd = usdFixed(moneyDecimals(Object.values(money)));
  for (const [name, value] of Object.entries(money)) setMetric(name, value, orDash(cardUsd), orDash(exactUsd));
  setMetric("saving_ratio", savingRatio(totals), percent);
  setMetric("agreement", totals.agreement, percent);
  $("#agreement-interval").textContent = interval(totals.agreement_low, totals.agreement_high, percent);
  setMetric("cache_hit_ratio", totals.cache_hit_ratio, percent);
  setMetric("requests", totals.requests, count);
  setMetric("errors", totals.errors, count);
  $("#basis").textContent = `at the ${projection.basis_days}-day rate to ${projection.basis_to}`;
  note($("#basis-hint"), basisHint(projection, basisDays));
}

/** The note on the shadow comparison's figures, shown while any of them on the page is a dash. */
export function showMeasuredNote() {
  const dash = $("#report").querySelector('[data-metric^="mini_cost_usd_measured"][data-value=""], [data-metric="agreement"][data-value=""]');
  $("#measured-note").hidden = dash === null;
}
