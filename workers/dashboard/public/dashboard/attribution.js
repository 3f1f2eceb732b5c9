// Spend by one tag's values (GET /v1/spend?group_by=tag:<name>) and the top end users
// (GET /v1/spend/users): who and what spent it. Built with textContent only.
import { get, latest } from "./api.js";
import { countCell, fill, moneyCell, pickable, renderTable, textCell, wrap } from "./tables.js";

const $ = (selector) => document.querySelector(selector);
const [tagForm, tagsTable, tagsNote, tagsSection] = [$("#by-tag"), $("#tags"), $("#tags-note"), $("#tags-section")];
const [beginTags, beginUsers] = [latest(), latest()];

function note(el, text) {
  el.textContent = text ?? "";
  el.hidden = text === undefined;
}

/** The shown range's tag names, by name. */
let rangeNames = [];

/** Reads the tag names of the range's calls (GET /v1/spend/tags): what the tag name field suggests, and starts on. */
export async function readTagNames({ from, to, key_id }) {
  rangeNames = (await (await get("/v1/spend/tags", { from, to, key_id })).json()).data.map((t) => t.name);
  // A name no call of this range carries (the first of the range shown before, say) gives way to this range's first.
  if (!rangeNames.includes(tagForm.name.value.trim())) tagForm.name.value = "";
  $("#tag-names").replaceChildren(...rangeNames.map((name) => Object.assign(document.createElement("option"), { value: name })));
}

/** The tag name of a tag filter, read as the API reads it: `<name>:<value>`, or `<name>=<value>`. */
function filterName(tag) {
  const at = tag.includes("=") ? tag.indexOf("=") : tag.indexOf(":");
  return at > 0 ? tag.slice(0, at) : undefined;
}

/**
 * Spend by the values of the tag named in the form (else of the tag filter's name, else of the
 * range's first tag name) under the dashboard's `query`. A tag filter of another name is not
 * combined: the rollups keep each tag name apart, so the API refuses that query, and the note
 * says why.
 */
export async function showByTag(query) {
  const fresh = beginTags();
  const filtered = filterName(query.tag);
  const name = tagForm.name.value.trim() || filtered || rangeNames[0];
  tagForm.name.value = name ?? "";
  tagsTable.dataset.group = `tag:${name}`;
  if (name === undefined || (filtered !== undefined && name !== filtered)) {
    tagsTable.replaceChildren();
    tagsSection.setAttribute("aria-busy", "false");
    note(tagsNote, name === undefined
      ? "No call in this range has tags (x-nanometer-tags: name=value). Name a tag to see spend by its values."
      : `Filtered on tag ${query.tag}: spend by ${name} within it is not kept (each tag name is rolled up apart). Clear the tag filter, or show ${filtered}.`);
    return;
  }
  tagsSection.setAttribute("aria-busy", "true");
  const spend = await (await get("/v1/spend", { ...query, group_by: `tag:${name}` })).json();
  if (!fresh()) return;
  note(tagsNote);
  renderTable(tagsTable, spend.rows, spend.totals);
  tagsSection.setAttribute("aria-busy", "false");
}

export const onTagName = (handler) => tagForm.addEventListener("submit", (event) => {
  event.preventDefault();
  handler();
});

const USER_COUNTS = ["requests", "errors", "input_tokens", "cached_tokens", "output_tokens"];
const USER_MONEY = ["cost_usd", "mini_cost_usd", "saved_usd"];
const USER_LABELS = ["Requests", "Errors", "Input", "Cached", "Output", "Spent (nano)", "At mini", "Saved"];

/**
 * The top end users of GET /v1/spend/users (`query`: range and key), each key's own; `keyNames`
 * (the admin's) adds whose key. The tag filter is not applied: end users and tags are rolled up
 * apart, and the note says so.
 */
export async function showUsers(query, keyNames) {
  const fresh = beginUsers();
  const { tag, ...range } = query;
  const users = await (await get("/v1/spend/users", range)).json();
  if (!fresh()) return;
  const rows = users.rows.map((u) => {
    const key = keyNames ? [textCell("key_name", keyNames.get(u.key_id) ?? u.key_id)] : [];
    const tr = wrap("tr", pickable(u.end_user, "user", u.end_user, u.key_id), ...key,
      ...USER_COUNTS.map((name) => countCell(name, u[name])), ...USER_MONEY.map((name) => moneyCell(name, u[name])));
    tr.dataset.row = `${u.key_id}:${u.end_user}`;
    return tr;
  });
  fill($("#users"), ["End user", ...(keyNames ? ["Key"] : []), ...USER_LABELS], rows, "No call in this range names an end user.");
  note($("#users-note"), tag ? `Over every call of the range, not only tag ${tag}'s: end users and tags are rolled up apart.` : undefined);
}
