import { mkdir, readFile } from "node:fs/promises";
import OpenAI from "openai";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminToken, base, gateway, spend } from "../support/gateway-calls";
import { expectFigure, expectTable, groupValue, launch, loaded, openDashboard, rowIds, WAIT } from "./dashboard-page";

interface LedgerRow {
  id: number;
  time: string;
  endpoint: string;
  model: string;
  service_tier: string;
  status: number;
  error: string | null;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  tags: Record<string, string> | null;
  end_user: string | null;
}
interface UserRow {
  key_id: string;
  end_user: string;
  requests: number;
  errors: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  cost_usd: number;
  mini_cost_usd: number;
  saved_usd: number;
}

const api = async <T>(path: string, query: Record<string, string>, token: string): Promise<T> => {
  const res = await gateway(`${path}?${new URLSearchParams(query)}`, token);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
};

// Thirteen chat calls with the tags and end users a product would send (one refused upstream),
// a call without any, and one naming its end user in OpenAI's own field.
const CALLS: { tags?: string; user?: string; safety_identifier?: string; content?: string; times: number }[] = [
  { tags: "feature=search,team=core", user: "ann", times: 4 },
  { tags: "feature=search,team=growth", user: "bob", times: 3 },
  { tags: "feature=chat,team=growth", user: "bob", times: 2 },
  { tags: "feature=chat", user: "cy", times: 1 },
  { tags: "feature=chat", user: "cy", content: "[[sim:fault=400]]", times: 1 },
  { times: 1 },
  { tags: "feature=summary", safety_identifier: "dee", times: 1 },
];
const CALL_COUNT = CALLS.reduce((sum, c) => sum + c.times, 0);

let browser: Browser;
let key: { id: string; key: string };
let range: { from: string; to: string };

beforeAll(async () => {
  key = (await (await gateway("/v1/admin/keys", adminToken, { name: "attributed" })).json()) as typeof key;
  const openai = new OpenAI({ apiKey: key.key, baseURL: `${base}/v1`, maxRetries: 0 });
  for (const call of CALLS) {
    const headers = { ...(call.tags && { "x-nanometer-tags": call.tags }), ...(call.user && { "x-nanometer-user": call.user }) };
    for (let i = 0; i < call.times; i++) {
      const body = { model: "gpt-5.4-nano", messages: [{ role: "user" as const, content: call.content ?? `Question ${i} about ${call.tags ?? "nothing"}` }], ...(call.safety_identifier && { safety_identifier: call.safety_identifier }) };
      const answer = openai.chat.completions.create(body, { headers });
      await (call.content ? expect(answer).rejects.toMatchObject({ status: 400 }) : answer);
    }
  }
  await vi.waitFor(async () => expect((await spend(key.key, {})).totals.requests).toBe(CALL_COUNT), WAIT);
  // The page's default range: the 30 UTC days to today.
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  range = { from: day(Date.now() - 29 * 86_400_000), to: day(Date.now()) };
  browser = await launch();
}, 120_000);
afterAll(() => browser?.close());

const tagsText = (tags: Record<string, string> | null) => (tags ? Object.entries(tags).map(([n, v]) => `${n}=${v}`).join(", ") : "—");

/** The requests table shows `rows` (an API page), each field exactly. */
async function expectRequests(page: Page, rows: LedgerRow[]) {
  expect(await rowIds(page, "#requests")).toEqual(rows.map((r) => String(r.id)));
  for (const r of rows) {
    const field = (name: string) => page.locator(`#requests tr[data-row="${r.id}"] [data-field="${name}"]`);
    const raw = async (name: string) => field(name).getAttribute("data-value");
    for (const name of ["status", "input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens"] as const) expect(Number(await raw(name))).toBe(r[name]);
    for (const name of ["endpoint", "model", "service_tier", "end_user", "error"] as const) expect(await raw(name)).toBe(r[name] ?? "");
    expect(await field("tags").innerText()).toBe(tagsText(r.tags));
    await expectFigure(field("cost_usd"), r.cost_usd);
  }
}

const requestsPage = (query: Record<string, string>, token = key.key) =>
  api<{ data: LedgerRow[]; next_cursor: string | null }>("/v1/spend/requests", { ...range, ...query }, token);

/** Waits for the requests table to settle, then checks it against the API's page for `query`. */
async function expectRequestsOf(page: Page, query: Record<string, string>, token = key.key) {
  await loaded(page);
  const answer = await requestsPage(query, token);
  await expectRequests(page, answer.data);
  return answer;
}

async function expectUsers(page: Page, users: UserRow[]) {
  expect(await rowIds(page, "#users")).toEqual(users.map((u) => `${u.key_id}:${u.end_user}`));
  for (const u of users) {
    const row = page.locator(`#users tr[data-row="${u.key_id}:${u.end_user}"]`);
    for (const name of ["requests", "errors", "input_tokens", "cached_tokens", "output_tokens"] as const) expect(Number(await row.locator(`[data-field="${name}"]`).getAttribute("data-value"))).toBe(u[name]);
    for (const name of ["cost_usd", "mini_cost_usd", "saved_usd"] as const) await expectFigure(row.locator(`[data-field="${name}"]`), u[name]);
  }
}

/** Sets the range form's filters and shows the page for them. */
async function filter(page: Page, filters: { tag?: string; key_id?: string }) {
  if (filters.tag !== undefined) await page.fill('#range input[name="tag"]', filters.tag);
  if (filters.key_id !== undefined) await page.selectOption('#range select[name="key_id"]', filters.key_id);
  await page.click('#range button[type="submit"]');
  await loaded(page);
}

async function byTag(page: Page, name: string) {
  await page.fill('#by-tag input[name="name"]', name);
  await page.click('#by-tag button[type="submit"]');
  await loaded(page);
}

describe("who spent it, on the dashboard in chromium", () => {
  it("filters every figure by tag and shows spend by a tag's values and the top end users, as the API answers them", async () => {
    const { page, problems } = await openDashboard(browser, key.key);
    expect([await page.inputValue('input[name="from"]'), await page.inputValue('input[name="to"]')]).toEqual([range.from, range.to]);

    // The by-tag table starts on the first tag name the range's calls carry.
    expect(await page.inputValue('#by-tag input[name="name"]')).toBe("feature");
    const features = await spend(key.key, { ...range, group_by: "tag:feature" });
    expect(features.rows.map((r) => groupValue(r, "tag:feature"))).toEqual(["chat", "search", "summary", null]);
    await expectTable(page, "#tags", features, "tag:feature");
    const users = await api<{ rows: UserRow[] }>("/v1/spend/users", range, key.key);
    expect(users.rows.map((u) => u.end_user).sort()).toEqual(["ann", "bob", "cy", "dee"]);
    await expectUsers(page, users.rows);
    expect(await page.locator("#users-note").isHidden()).toBe(true);

    await filter(page, { tag: "feature:search" });
    const [days, endpoints, search] = await Promise.all(
      ["day", "endpoint", "tag:feature"].map((group_by) => spend(key.key, { ...range, group_by, tag: "feature:search" })),
    );
    expect(days!.totals.requests).toBe(7);
    for (const m of ["cost_usd", "mini_cost_usd", "saved_usd", "requests", "errors"] as const) await expectFigure(page.locator(`.cards output[data-metric="${m}"]`), days!.totals[m]);
    await expectTable(page, "#endpoints", endpoints!, "endpoint");
    await expectTable(page, "#tags", search!, "tag:feature");
    expect(await page.locator("#users-note").innerText()).toContain("not only tag feature:search's");
    await expectRequestsOf(page, { tag: "feature:search", limit: "25" });
    const [download] = await Promise.all([page.waitForEvent("download", WAIT), page.click("#csv")]);
    const csv = await gateway(`/v1/spend?${new URLSearchParams({ ...range, group_by: "day,endpoint,model,tier", tag: "feature:search", format: "csv" })}`, key.key);
    expect(await readFile((await download.path()) ?? "", "utf8")).toBe(await csv.text());

    // Another tag's values within this one are not kept: the page says so rather than guess.
    await byTag(page, "team");
    expect(await page.locator("#tags-note").innerText()).toContain("Filtered on tag feature:search");
    expect(await rowIds(page, "#tags")).toEqual([]);

    await filter(page, { tag: "" });
    const teams = await spend(key.key, { ...range, group_by: "tag:team" });
    await expectTable(page, "#tags", teams, "tag:team");
    expect(await page.locator("#tags-note").isHidden()).toBe(true);

    await mkdir("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/dashboard-attribution.png", fullPage: true });
    expect(problems).toEqual([]);

    // A tag filter that is not <name>:<value>: the API's reason, on the page.
    await page.fill('#range input[name="tag"]', "feature");
    await page.click('#range button[type="submit"]');
    await expect.poll(() => page.locator("#error").innerText(), WAIT).toContain('The spend API answered 400: tag: "feature" is not <name>:<value>');
    await page.close();
  }, 90_000);

  it("lists the ledger newest first a page at a time, and narrows it to a day, a tag, an end user", async () => {
    const { page, problems } = await openDashboard(browser, key.key);
    await page.selectOption('#requests-nav select[name="limit"]', "10");
    const first = await expectRequestsOf(page, { limit: "10" });
    expect(first.next_cursor).not.toBeNull();
    expect(await page.isDisabled("#newer")).toBe(true);
    await page.click("#older");
    const second = await expectRequestsOf(page, { limit: "10", cursor: first.next_cursor! });
    const times = [...first.data, ...second.data].map((r) => r.time);
    expect([times.length, times]).toEqual([CALL_COUNT, [...times].sort().reverse()]);
    expect([await page.isDisabled("#older"), await page.innerText("#page")]).toEqual([true, "Page 2"]);
    await page.click("#newer");
    await expectRequestsOf(page, { limit: "10" });

    // A tag's row in the by-tag table, then an end user: the requests narrow to both.
    await page.click('#tags tr[data-row="chat"] button.pick');
    const chat = await expectRequestsOf(page, { limit: "10", tag: "feature:chat" });
    expect(chat.data.map((r) => r.status).sort()).toEqual([200, 200, 200, 400]);
    expect(chat.data.find((r) => r.status === 400)?.error).toBeTruthy();
    await page.click(`#users tr[data-row="${key.id}:bob"] button.pick`);
    const bobsChats = await expectRequestsOf(page, { limit: "10", tag: "feature:chat", user: "bob", key_id: key.id });
    expect(bobsChats.data).toHaveLength(2);
    expect(await page.locator("#picked button").allInnerTexts()).toEqual(["tag feature:chat ×", "user bob ×"]);
    await page.click('#picked button[data-unpick="tag"]');
    await expectRequestsOf(page, { limit: "10", user: "bob", key_id: key.id });

    // The chart's last day (today), then an endpoint's row.
    await page.click('#picked button[data-unpick="user"]');
    await loaded(page);
    await page.locator("#chart").scrollIntoViewIfNeeded();
    const over = await page.locator("#chart .u-over").boundingBox();
    if (!over) throw new Error("the chart has no plot area");
    // A few pixels in: uPlot snaps a click at the very edge to it, takes that for a drag and drops the click.
    await page.mouse.click(over.x + over.width - 5, over.y + over.height / 2);
    await expectRequestsOf(page, { limit: "10", from: range.to, to: range.to });
    expect(await page.locator("#picked button").allInnerTexts()).toEqual([`day ${range.to} ×`]);
    await page.click('#endpoints tr[data-row="chat.completions"] button.pick');
    await expectRequestsOf(page, { limit: "10", from: range.to, to: range.to, endpoint: "chat.completions" });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it("lets the admin filter by key: every figure, the top end users and the requests are that key's", async () => {
    const { page, problems } = await openDashboard(browser, adminToken);
    const options = await page.locator('#range select[name="key_id"] option').evaluateAll((os) => os.map((o) => o.getAttribute("value")));
    expect(options).toContain(key.id);
    await filter(page, { key_id: key.id });
    const days = await spend(adminToken, { ...range, group_by: "day", key_id: key.id });
    expect(days.totals.requests).toBe(CALL_COUNT);
    for (const m of ["cost_usd", "requests", "errors"] as const) await expectFigure(page.locator(`.cards output[data-metric="${m}"]`), days.totals[m]);
    await expectUsers(page, (await api<{ rows: UserRow[] }>("/v1/spend/users", { ...range, key_id: key.id }, adminToken)).rows);
    expect(await page.locator('#users tr[data-row] [data-field="key_name"]').allInnerTexts()).toEqual(["attributed", "attributed", "attributed", "attributed"]);
    await expectRequestsOf(page, { limit: "25", key_id: key.id }, adminToken);
    await expectTable(page, "#tags", await spend(adminToken, { ...range, group_by: "tag:feature", key_id: key.id }), "tag:feature");
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
