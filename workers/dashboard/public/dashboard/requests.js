// Recent requests: the ledger (GET /v1/spend/requests), newest first, a page at a time, under the
// dashboard's range and filters and what was picked above it (a day, a tag, an end user...).
import { get, latest } from "./api.js";
import { cell, countCell, fill, moneyCell, textCell, wrap } from "./tables.js";

const $ = (selector) => document.querySelector(selector);
const [section, table, picked, newer, older] = [$("#requests-section"), $("#requests"), $("#picked"), $("#newer"), $("#older")];
const perPage = $('#requests-nav select[name="limit"]');

/** What each pick narrows the requests to, as query parameters. */
const NARROWS = {
  day: (value) => ({ from: value, to: value }),
  endpoint: (value) => ({ endpoint: value }),
  model: (value) => ({ model: value }),
  service_tier: (value) => ({ service_tier: value }),
  tag: (value) => ({ tag: value }),
  user: (value, key) => ({ user: value, key_id: key }),
};

let base = {};
const picks = new Map(); // kind -> { value, key }
let cursors = [undefined]; // each page's cursor, up to the shown one's
let failed = () => {};
const begin = latest();

const LABELS = ["Time (UTC)", "Call", "Tags", "End user", "Input", "Cached", "Output", "Reasoning", "Cost", "Status", "Error"];
const tagsText = (tags) => (tags === null ? null : Object.entries(tags).map(([name, value]) => `${name}=${value}`).join(", "));

function row(r) {
  const time = cell("th", r.time.replace("T", " ").slice(0, 19), { scope: "row", title: `${r.time}\nkey ${r.key_id}\nrequest ${r.request_id}` });
  const how = wrap("small", textCell("model", r.model, "span"), " · ", textCell("service_tier", r.service_tier, "span"), r.shadow ? " · shadow call" : "");
  const call = wrap("td", textCell("endpoint", r.endpoint, "span"), how);
  const status = countCell("status", r.status);
  if (r.status >= 400) status.classList.add("failed");
  const tr = wrap("tr", time, call, textCell("tags", tagsText(r.tags)), textCell("end_user", r.end_user),
    ...["input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens"].map((name) => countCell(name, r[name])),
    moneyCell("cost_usd", r.cost_usd), status, textCell("error", r.error));
  tr.dataset.row = String(r.id);
  return tr;
}

/** The query of the shown page: the dashboard's, narrowed by the picks, from its cursor. */
function query() {
  const narrowed = [...picks].map(([kind, { value, key }]) => NARROWS[kind](value, key));
  return Object.assign({ ...base, limit: perPage.value }, ...narrowed, { cursor: cursors.at(-1) });
}

function renderPicks() {
  picked.replaceChildren(...[...picks].map(([kind, { value }]) =>
    cell("button", `${kind} ${value} ×`, { type: "button", class: "chip", "data-unpick": kind, title: "Show every call again" })));
}

async function loadPage() {
  const fresh = begin();
  section.setAttribute("aria-busy", "true");
  const page = await (await get("/v1/spend/requests", query())).json();
  if (!fresh()) return page;
  fill(table, LABELS, page.data.map(row), picks.size ? "No calls match." : "No calls in this range.");
  renderPicks();
  newer.disabled = cursors.length === 1;
  older.disabled = page.next_cursor === null;
  older.dataset.cursor = page.next_cursor ?? "";
  $("#page").textContent = `Page ${cursors.length}`;
  section.setAttribute("aria-busy", "false");
  return page;
}

/** Shows the page at the end of `pageCursors` (the first page: `[undefined]`). */
function goTo(pageCursors) {
  cursors = pageCursors;
  return loadPage().catch(failed);
}

/** The first page under the dashboard's range and filters (`query`), every pick dropped. */
export function showRequests(query) {
  base = query;
  picks.clear();
  cursors = [undefined];
  return loadPage();
}

/** Narrows the requests to a pick (NARROWS), from the first page, and brings them into view. */
export function narrowRequests(kind, value, key) {
  picks.set(kind, { value, key });
  section.scrollIntoView({ block: "start" });
  return goTo([undefined]);
}

/** Wires the paging and the picks' removal; `onFailure` shows what went wrong. */
export function initRequests(onFailure) {
  failed = onFailure;
  older.addEventListener("click", () => goTo([...cursors, older.dataset.cursor]));
  newer.addEventListener("click", () => goTo(cursors.slice(0, -1)));
  perPage.addEventListener("change", () => goTo([undefined]));
  picked.addEventListener("click", (event) => {
    const kind = event.target.closest("[data-unpick]")?.dataset.unpick;
    if (kind && picks.delete(kind)) goTo([undefined]);
  });
}
