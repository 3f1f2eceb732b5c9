import { mkdir, readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminToken, base, gateway, keyWithCalls, spend } from "../support/gateway-calls";
import { expectFigure, expectInterval, expectNullable, expectShown, expectTable, launch, openDashboard, rowIds, WAIT, watch } from "./dashboard-page";

const DAY_MS = 86_400_000;

let browser: Browser;
let key: string;
let requests: number;

beforeAll(async () => {
  ({ key, requests } = await keyWithCalls("dashboard"));
  browser = await launch();
}, 120_000);
afterAll(() => browser?.close());

describe("GET /dashboard in chromium", () => {
  it("shows what GET /v1/spend answers for the last 30 days: totals, chart, endpoints, models, tiers, CSV", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = watch(page, key);
    await page.goto(`${base}/dashboard#token=${key}`);
    await page.locator('#report[aria-busy="false"]').waitFor(WAIT);
    expect(page.url()).toBe(`${base}/dashboard`);

    const [from, to] = [await page.inputValue('input[name="from"]'), await page.inputValue('input[name="to"]')];
    const today = new Date().toISOString().slice(0, 10);
    expect([from, to]).toEqual([new Date(Date.now() - 29 * DAY_MS).toISOString().slice(0, 10), today]);
    const [days, endpoints, models, tiers] = await Promise.all([
      spend(key, { from, to, group_by: "day" }),
      spend(key, { from, to, group_by: "endpoint" }),
      spend(key, { from, to, group_by: "model" }),
      spend(key, { from, to, group_by: "tier" }),
    ]);
    expect(days.totals.requests).toBe(requests);

    const figure = (name: string) => page.locator(`.cards output[data-metric="${name}"]`);
    for (const m of ["cost_usd", "mini_cost_usd", "saved_usd", "requests", "errors"] as const) await expectFigure(figure(m), days.totals[m]);
    await expectFigure(figure("cache_hit_ratio"), days.totals.cache_hit_ratio, 100);
    await expectFigure(figure("saving_ratio"), days.totals.saved_usd / days.totals.mini_cost_usd, 100);
    await expectFigure(figure("monthly_usd"), days.projection.monthly_usd);
    await expectFigure(figure("monthly_mini_usd"), days.projection.monthly_mini_usd);
    expect(days.totals.errors).toBe(1);
    expect(days.totals.cache_hit_ratio).toBeGreaterThan(0);

    await expectNullable(figure("mini_cost_usd_measured"), days.totals.mini_cost_usd_measured);
    await expectNullable(figure("agreement"), days.totals.agreement, 100);
    await expectFigure(figure("shadow_cost_usd"), days.totals.shadow_cost_usd);

    await expectTable(page, "#endpoints", endpoints, "endpoint");
    await expectTable(page, "#models", models, "model");
    await expectTable(page, "#tiers", tiers, "service_tier");
    expect(tiers.rows.map((r) => r.service_tier)).toEqual(["default", "flex"]);
    expect(endpoints.rows.map((r) => r.endpoint)).toEqual(["chat.completions", "intent"]);
    // Intent was shadowed, chat was not: its agreement and measured projection are the API's, chat's are dashes.
    const [chat, intent] = endpoints.rows;
    expect([chat?.agreement, chat?.mini_cost_usd_measured, intent?.shadow_requests]).toEqual([null, null, 3]);
    expect(intent?.agreement).not.toBeNull();
    expect(endpoints.totals.mini_cost_usd_measured).toBeNull(); // chat's spend has no pair: the total is not guessed
    const measured = page.locator('#endpoints tr[data-row="intent"] td[data-metric="mini_cost_usd_measured"]');
    await expectInterval(measured, intent!.mini_cost_usd_measured_low!, intent!.mini_cost_usd_measured_high!);

    // The chart's last day (today): hovering it puts that day's nano and mini spend in the legend.
    const over = await page.locator("#chart .u-over").boundingBox();
    if (!over) throw new Error("the chart has no plot area");
    await page.mouse.move(over.x + over.width - 1, over.y + over.height / 2);
    const legend = await page.locator("#chart .u-legend .u-series .u-value").allInnerTexts();
    const day = days.rows.find((r) => r.day === today);
    expect(legend[0]).toBe(today);
    expectShown(legend[1] ?? "", day?.cost_usd ?? NaN);
    expectShown(legend[2] ?? "", day?.mini_cost_usd ?? NaN);

    const [download] = await Promise.all([page.waitForEvent("download", WAIT), page.click("#csv")]);
    const csv = await gateway(`/v1/spend?${new URLSearchParams({ from, to, group_by: "day,endpoint,model,tier", format: "csv" })}`, key);
    expect(download.suggestedFilename()).toBe(`spend-${from}-${to}.csv`);
    expect(await readFile((await download.path()) ?? "", "utf8")).toBe(await csv.text());

    await mkdir("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it("shows Batch API spend apart: the batch tier's cost, and its saving against mini's batch price", async () => {
    const { key: batchKey } = (await (await gateway("/v1/admin/keys", adminToken, { name: "dashboard-batch" })).json()) as { key: string };
    const items = ["The ferry is late again.", "Rain all week in Porto."].map((text, i) => ({ custom_id: `d${i}`, text, target_language: "French" }));
    const batch = (await (await gateway("/v1/batches/tasks", batchKey, { endpoint: "summarize", items })).json()) as { id: string };
    await expect.poll(async () => (await gateway(`/v1/batches/${batch.id}/results`, batchKey)).status, WAIT).toBe(200);
    const page = await browser.newPage();
    await page.goto(`${base}/dashboard#token=${batchKey}`);
    await page.locator('#report[aria-busy="false"]').waitFor(WAIT);
    const today = new Date().toISOString().slice(0, 10);
    const tiers = await spend(batchKey, { from: new Date(Date.now() - 29 * DAY_MS).toISOString().slice(0, 10), to: today, group_by: "tier" });
    const [row] = tiers.rows;
    expect([tiers.rows.length, row?.service_tier, row?.requests]).toEqual([1, "batch", 2]);
    await expectFigure(page.locator('.cards output[data-metric="batch_cost_usd"]'), row!.cost_usd);
    await expectFigure(page.locator('.cards output[data-metric="batch_saved_usd"]'), row!.saved_usd);
    await expectTable(page, "#tiers", tiers, "service_tier");
    await page.close();
  }, 60_000);

  it("says so when a token is refused, and takes one from the form", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/dashboard`);
    await page.fill('#login input[name="token"]', "nm_not_a_key");
    await page.click('#login button[type="submit"]');
    await expect.poll(() => page.locator("#error").innerText(), WAIT).toContain("That token was refused");
    expect(await page.locator("#report").isHidden()).toBe(true);

    await page.fill('#login input[name="token"]', key);
    await page.click('#login button[type="submit"]');
    await page.locator('#report[aria-busy="false"]').waitFor(WAIT);
    expect(await page.locator("#error").isHidden()).toBe(true);
    expect(await page.locator('.cards output[data-metric="requests"]').innerText()).toBe(String(requests));
    await page.close();
  }, 60_000);
});

describe("budgets and alerts on the dashboard", () => {
  let capped: { id: string; key: string };
  const today = () => new Date().toISOString().slice(0, 10);
  const api = async (path: string, token: string): Promise<any> => (await gateway(path, token)).json();

  beforeAll(async () => {
    // One call within a roomy budget, then the budget cut to a micro-dollar: the next call is
    // refused, which records 50%, 80% and 100% at once.
    capped = (await (await gateway("/v1/admin/keys", adminToken, { name: "capped", daily_budget_usd: 1 })).json()) as typeof capped;
    expect((await gateway("/v1/intent", capped.key, { text: "where is my parcel?" })).status).toBe(200);
    const cut = await fetch(`${base}/v1/admin/keys/${capped.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ daily_budget_usd: 0.000001 }),
    });
    expect(cut.status).toBe(200);
    expect((await gateway("/v1/intent", capped.key, { text: "and now?" })).status).toBe(402);
    // Recorded after each answer, in the background; the ledger (which the budgets' spend reads)
    // through the queue, so it may come after the alerts: the call and its shadow call.
    await vi.waitFor(async () => expect((await api(`/v1/admin/alerts?key_id=${capped.id}`, adminToken)).data).toHaveLength(3), WAIT);
    await vi.waitFor(async () => expect((await spend(capped.key, {})).totals).toMatchObject({ requests: 1, shadow_requests: 1 }), WAIT);
  }, 60_000);

  async function expectBudgets(page: Page, budgets: { key_id: string; period: string; spent_usd: number; budget_usd: number; used: number }[]) {
    expect(await rowIds(page, "#budgets")).toEqual(budgets.map((b) => `${b.key_id}:${b.period}`));
    for (const b of budgets) {
      const row = page.locator(`#budgets tr[data-row="${b.key_id}:${b.period}"]`);
      for (const field of ["spent_usd", "budget_usd"] as const) await expectFigure(row.locator(`[data-field="${field}"]`), b[field]);
      await expectFigure(row.locator('[data-field="used"]'), b.used, 100);
    }
  }

  it("shows the admin every key's budget use and the range's alerts with their delivery, as the API answers them", async () => {
    const { page, problems } = await openDashboard(browser, adminToken);
    const budgets = await api("/v1/spend/budgets", adminToken);
    expect(budgets.data.map((b: { key_id: string }) => b.key_id)).toContain(capped.id);
    await expectBudgets(page, budgets.data);

    const [from, to] = [await page.inputValue('input[name="from"]'), await page.inputValue('input[name="to"]')];
    const alerts = await api(`/v1/admin/alerts?${new URLSearchParams({ from, to, limit: "200" })}`, adminToken);
    expect(await rowIds(page, "#alerts")).toEqual(alerts.data.map((a: { id: string }) => a.id));
    for (const alert of alerts.data) {
      const row = page.locator(`#alerts tr[data-row="${alert.id}"]`);
      expect(await row.locator('[data-field="key_name"]').innerText()).toBe(alert.key_name);
      expect(await row.locator('[data-field="delivery"]').getAttribute("data-value")).toBe(alert.delivery.state);
      await expectFigure(row.locator('[data-field="spent_usd"]'), alert.spent_usd);
    }
    const summaries = await page.locator("#alerts tbody [data-field='summary']").allInnerTexts();
    expect(summaries.filter((s) => s.endsWith("of $0.000001")).sort()).toEqual(["100.0% of $0.000001", "50.0% of $0.000001", "80.0% of $0.000001"]);
    expect(await page.locator("#alerts-more").isHidden()).toBe(true);
    await page.locator("#budgets-title").scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/dashboard-alerts.png" });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows a key its own budget and no alerts (they are the admin's)", async () => {
    const { page, problems } = await openDashboard(browser, capped.key);
    const own = await api("/v1/spend/budgets", capped.key);
    expect(own.data.map((b: { period: string }) => b.period)).toEqual([today()]);
    await expectBudgets(page, own.data);
    expect(await page.locator("#alerts-section").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

describe("the dashboard's uPlot", () => {
  it("is the installed uplot package's own files, unchanged", async () => {
    for (const file of ["uPlot.iife.min.js", "uPlot.min.css"]) {
      const served = await (await fetch(`${base}/dashboard/vendor/${file}`)).text();
      expect(served).toBe(await readFile(`node_modules/uplot/dist/${file}`, "utf8"));
    }
  });
});
