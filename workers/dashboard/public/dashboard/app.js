// The spend dashboard. The token comes from the URL fragment or the form and lives only in
// `token` below: never stored, never put in a URL, sent only as `Authorization: Bearer`.
import { renderAlerts, renderBudgets } from "./alerts.js";
import { drawDaily } from "./daily-chart.js";
import { count, exactUsd, interval, orDash, percent, savingRatio, usd } from "./format.js";
import { renderTable } from "./tables.js";

const DEFAULT_DAYS = 30;
const $ = (selector) => document.querySelector(selector);
const [login, range, report, error] = [$("#login"), $("#range"), $("#report"), $("#error")];
const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

let token = null;
let loads = 0;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET `path` with the token; an ApiError when it is not a 2xx. */
async function get(path, query = {}) {
  const res = await fetch(`${path}?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(res.status, body?.error?.message ?? `the gateway answered ${res.status}`);
  }
  return res;
}

/** GET /v1/spend for the picked range; `extra` adds group_by or format. */
const spend = (extra) => get("/v1/spend", { from: range.from.value, to: range.to.value, ...extra });

const ALERTS_SHOWN = 200;

/**
 * Budget use (a key's own, or every key's for the admin) and, for the admin, the alerts of the
 * range. The budgets' `key_id` says whose they are: null is every key's, so the caller is the admin.
 */
async function budgetsAndAlerts() {
  const budgets = await (await get("/v1/spend/budgets")).json();
  if (budgets.key_id !== null) return { budgets, alerts: null };
  const query = { from: range.from.value, to: range.to.value, limit: String(ALERTS_SHOWN) };
  return { budgets, alerts: await (await get("/v1/admin/alerts", query)).json() };
}

function renderBudgetsAndAlerts({ budgets, alerts }) {
  renderBudgets($("#budgets"), budgets.data);
  $("#alerts-section").hidden = alerts === null;
  if (alerts === null) return;
  renderAlerts($("#alerts"), alerts.data);
  $("#alerts-more").hidden = alerts.next_cursor === null;
}

function setMetric(name, value, format, title) {
  for (const el of report.querySelectorAll(`output[data-metric="${name}"]`)) {
    el.textContent = format(value);
    el.dataset.value = String(value ?? "");
    if (title) el.title = title(value);
  }
}

function renderTotals(totals, projection) {
  for (const name of ["cost_usd", "mini_cost_usd", "saved_usd"]) setMetric(name, totals[name], usd, exactUsd);
  setMetric("saving_ratio", savingRatio(totals), percent);
  setMetric("mini_cost_usd_measured", totals.mini_cost_usd_measured, orDash(usd), orDash(exactUsd));
  setMetric("agreement", totals.agreement, percent);
  $("#agreement-interval").textContent = interval(totals.agreement_low, totals.agreement_high, percent);
  setMetric("shadow_cost_usd", totals.shadow_cost_usd, usd, exactUsd);
  setMetric("cache_hit_ratio", totals.cache_hit_ratio, percent);
  setMetric("requests", totals.requests, count);
  setMetric("errors", totals.errors, count);
  setMetric("monthly_usd", projection.monthly_usd, usd, exactUsd);
  setMetric("monthly_mini_usd", projection.monthly_mini_usd, usd, exactUsd);
  $("#basis").textContent = `at the ${projection.basis_days}-day rate to ${projection.basis_to}`;
}

/** Batch API spend, the batch tier apart, and its saving against mini's batch price. */
function renderBatches(tierRows) {
  const batch = tierRows.find((row) => row.service_tier === "batch");
  setMetric("batch_cost_usd", batch?.cost_usd ?? 0, usd, exactUsd);
  setMetric("batch_saved_usd", batch?.saved_usd ?? 0, usd, exactUsd);
}

function showError(message) {
  error.textContent = message;
  error.hidden = false;
}

/** Back to the form; `message` says why (a refused token). */
function signOut(message) {
  token = null;
  loads += 1;
  range.hidden = report.hidden = true;
  login.hidden = false;
  error.hidden = true;
  if (message) showError(message);
  login.token.focus();
}

function failed(err) {
  if (err instanceof ApiError && err.status === 401) signOut(`That token was refused: ${err.message}.`);
  else showError(err instanceof ApiError ? `The spend API answered ${err.status}: ${err.message}.` : `Could not reach the spend API: ${err.message}.`);
}

async function load() {
  const seen = ++loads;
  error.hidden = true;
  login.hidden = true;
  range.hidden = false;
  report.setAttribute("aria-busy", "true");
  try {
    const [days, endpoints, models, tiers, watched] = await Promise.all([
      ...["day", "endpoint", "model", "tier"].map(async (group_by) => (await spend({ group_by })).json()),
      budgetsAndAlerts(),
    ]);
    if (seen !== loads) return;
    report.hidden = false;
    renderTotals(days.totals, days.projection);
    drawDaily($("#chart"), days.from, days.to, days.rows);
    renderTable($("#endpoints"), endpoints.rows, endpoints.totals);
    renderTable($("#models"), models.rows, models.totals);
    renderTable($("#tiers"), tiers.rows, tiers.totals);
    renderBudgetsAndAlerts(watched);
    renderBatches(tiers.rows);
    report.setAttribute("aria-busy", "false");
  } catch (err) {
    if (seen === loads) failed(err);
  }
}

/** The CSV of the same range, fetched with the header and handed over as a blob link. */
async function downloadCsv() {
  try {
    const blob = await (await spend({ group_by: "day,endpoint,model,tier", format: "csv" })).blob();
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob),
      download: `spend-${range.from.value}-${range.to.value}.csv`,
    });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href));
  } catch (err) {
    failed(err);
  }
}

/** Takes `#token=...` into memory and drops the fragment from the URL bar and history. */
function tokenFromFragment() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  if (fromHash) {
    token = fromHash;
    load();
  }
}

login.addEventListener("submit", (event) => {
  event.preventDefault();
  token = login.token.value.trim();
  login.reset();
  load();
});
range.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
$("#csv").addEventListener("click", downloadCsv);
$("#forget").addEventListener("click", () => signOut());
window.addEventListener("hashchange", tokenFromFragment);

range.to.value = utcDay(Date.now());
range.from.value = utcDay(Date.now() - (DEFAULT_DAYS - 1) * 86_400_000);
tokenFromFragment();
if (!token) signOut();
