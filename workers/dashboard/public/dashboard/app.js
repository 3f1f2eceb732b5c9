// The spend dashboard. The token comes from the URL fragment or the form into api.js, which alone
// keeps it (for this tab). The range form's key and tag filters apply to every figure the API can filter.
import { budgetsAndAlerts, renderBudgetsAndAlerts } from "./alerts.js";
import { ApiError, failureText, get, hasToken, latest, setToken } from "./api.js";
import { onTagName, readTagNames, showByTag, showUsers } from "./attribution.js";
import { renderCards, showMeasuredNote } from "./cards.js";
import { drawDaily } from "./daily-chart.js";
import { initRequests, narrowRequests, showRequests } from "./requests.js";
import { renderTable } from "./tables.js";

const DEFAULT_DAYS = 30;
const $ = (selector) => document.querySelector(selector);
const [login, range, report, error] = [$("#login"), $("#range"), $("#report"), $("#error")];
const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const begin = latest();

/** The key names by id when the caller is the admin, null for a key, undefined until known. */
let keyNames;
/** The range and filters of what is shown (those in the form may not be applied yet). */
let shown;

/** The range and the filters: the query every spend call starts from. */
const filters = () => ({ from: range.from.value, to: range.to.value, key_id: range.key_id.value, tag: range.tag.value.trim() });

/** GET /v1/spend under the filters; `extra` adds group_by or format. */
const spend = (extra) => get("/v1/spend", { ...filters(), ...extra });

/**
 * Whether the caller is the admin (the budgets of every key, `key_id` null) and then which keys
 * there are, for the key filter. Once per token.
 */
async function learnCaller() {
  if (keyNames !== undefined) return;
  const budgets = await (await get("/v1/spend/budgets")).json();
  const keys = budgets.key_id === null ? (await (await get("/v1/admin/keys")).json()).data : null;
  keyNames = keys && new Map(keys.map((k) => [k.id, k.name]));
  const options = (keys ?? []).map((k) => Object.assign(document.createElement("option"), { value: k.id, textContent: `${k.name} (${k.key_prefix}…)${k.revoked ? ", revoked" : ""}` }));
  range.key_id.replaceChildren(range.key_id.options[0], ...options);
  $("#key-filter").hidden = keys === null;
}

/** The day rows of the projection's basis: the range's own when it covers the basis, else read under the same filters. */
async function basisDays({ from, to, rows, projection }, query) {
  if (from <= projection.basis_from && to >= projection.basis_to) return rows;
  return (await (await get("/v1/spend", { ...query, group_by: "day", from: projection.basis_from, to: projection.basis_to })).json()).rows;
}

function showError(message) {
  error.textContent = message;
  error.hidden = false;
}

/** Back to the form; `message` says why (a refused token). */
function signOut(message) {
  setToken(null);
  keyNames = undefined;
  range.key_id.value = "";
  begin();
  range.hidden = report.hidden = true;
  login.hidden = false;
  error.hidden = true;
  if (message) showError(message);
  login.token.focus();
}

function failed(err) {
  if (err instanceof ApiError && err.status === 401) signOut(`That token was refused: ${err.message}.`);
  else showError(failureText(err));
}

/** Everything the page shows, for the range and filters; the attribution tables meanwhile. */
async function load() {
  const fresh = begin();
  error.hidden = true;
  login.hidden = true;
  range.hidden = false;
  report.setAttribute("aria-busy", "true");
  try {
    await learnCaller();
    const query = (shown = filters());
    const [days, endpoints, models, tiers, watched] = await Promise.all([
      ...["day", "endpoint", "model", "tier"].map(async (group_by) => (await spend({ group_by })).json()),
      budgetsAndAlerts(query, keyNames !== null),
      // Rendered by their modules as they come; the by-tag table starts on the range's first tag name.
      showRequests(query),
      readTagNames(query).then(() => showByTag(query)),
      showUsers(query, keyNames),
    ]);
    const basis = await basisDays(days, query);
    if (!fresh()) return;
    report.hidden = false;
    renderCards(days, tiers.rows, basis);
    drawDaily($("#chart"), days.from, days.to, days.rows, (day) => narrowRequests("day", day));
    renderTable($("#endpoints"), endpoints.rows, endpoints.totals);
    renderTable($("#models"), models.rows, models.totals);
    renderTable($("#tiers"), tiers.rows, tiers.totals);
    renderBudgetsAndAlerts(watched);
    showMeasuredNote();
    report.setAttribute("aria-busy", "false");
  } catch (err) {
    if (fresh()) failed(err);
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

/** Takes `#token=...` (then shows its spend, and answers true) and drops the fragment from the URL bar and history. */
function tokenFromFragment() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  if (!fromHash) return false;
  setToken(fromHash);
  load();
  return true;
}

login.addEventListener("submit", (event) => {
  event.preventDefault();
  setToken(login.token.value.trim());
  login.reset();
  load();
});
range.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
$("#csv").addEventListener("click", downloadCsv);
report.addEventListener("click", (event) => {
  const pick = event.target.closest("button[data-narrow]");
  if (pick) narrowRequests(pick.dataset.narrow, pick.dataset.value, pick.dataset.key);
});
onTagName(() => showByTag(shown).catch(failed));
initRequests(failed);
$("#sign-out").addEventListener("click", () => signOut());
window.addEventListener("hashchange", tokenFromFragment);

range.to.value = utcDay(Date.now());
range.from.value = utcDay(Date.now() - (DEFAULT_DAYS - 1) * 86_400_000);
// A token in the fragment, else the one this tab kept (a reload), else the form.
if (!tokenFromFragment()) {
  if (hasToken()) load();
  else signOut();
}
