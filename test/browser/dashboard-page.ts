/** Chromium on the dashboard, and checks that what a page shows is exactly what the API answers. */
import type { Browser, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { watch } from "../support/browser";

export { watch };
import { base, type Spend, type SpendMetrics } from "../support/gateway-calls";

export const WAIT = { timeout: 30_000 };

export { launchChromium as launch } from "../support/browser";

/** A page on the dashboard as `token` sees it, once loaded, and the problems `watch` collects. */
export async function openDashboard(browser: Browser, token: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = watch(page, token);
  await page.goto(`${base}/dashboard#token=${token}`);
  await loaded(page);
  return { page, problems };
}

/** Waits for the page's loads in flight (the report, the by-tag and the requests tables) to end. */
export async function loaded(page: Page) {
  for (const busy of ["#report", "#tags-section", "#requests-section"]) await page.locator(`${busy}[aria-busy="false"]`).waitFor(WAIT);
}

/** A shown figure is the exact value rounded: within half its last shown digit ("$0.000295", "45.3%"). */
export function expectShown(text: string, exact: number, scale = 1) {
  const shown = text.replace(/[$,%]/g, "");
  const decimals = shown.split(".")[1]?.length ?? 0;
  expect(Math.abs(Number(shown) / scale - exact)).toBeLessThanOrEqual((0.5 * 10 ** -decimals) / scale + 1e-12);
}

/** A figure's raw value (`data-value`) equals the API's, and its text (not the interval under it) shows it rounded. */
export async function expectFigure(el: Locator, exact: number, scale = 1) {
  expect(Number(await el.getAttribute("data-value"))).toBe(exact);
  expectShown(await el.evaluate((e) => e.firstChild?.textContent ?? ""), exact, scale);
}

/** A figure the API may leave null: then the page says "—" and keeps no value. */
export async function expectNullable(el: Locator, exact: number | null, scale = 1) {
  if (exact !== null) return expectFigure(el, exact, scale);
  expect([await el.getAttribute("data-value"), await el.innerText()]).toEqual(["", "—"]);
}

/** The interval under a figure: its two ends, each the API's rounded ("49.0–94.3%"). */
export async function expectInterval(el: Locator, low: number, high: number, scale = 1) {
  const [shownLow, shownHigh] = (await el.locator("small").innerText()).split("–");
  expectShown(shownLow ?? "", low, scale);
  expectShown(shownHigh ?? "", high, scale);
}

export async function expectRow(row: Locator, api: SpendMetrics) {
  for (const m of ["requests", "errors", "cost_usd", "mini_cost_usd", "saved_usd"] as const) await expectFigure(row.locator(`[data-metric="${m}"]`), api[m]);
  await expectFigure(row.locator('[data-metric="cache_hit_ratio"]'), api.cache_hit_ratio, 100);
  await expectNullable(row.locator('[data-metric="mini_cost_usd_measured"]'), api.mini_cost_usd_measured);
  const agreement = row.locator('[data-metric="agreement"]');
  await expectNullable(agreement, api.agreement, 100);
  if (api.agreement !== null) await expectInterval(agreement, api.agreement_low!, api.agreement_high!, 100);
}

/** A spend row's value of a group column (`endpoint`, `tag:feature`...); null for its calls without one. */
export const groupValue = (row: Spend["rows"][number], group: string) => (row as unknown as Record<string, string | null>)[group] ?? null;

/** A spend table's rows are the API's, in its order (`group`: the rows' group column; a row without a value is ""). */
export async function expectTable(page: Page, table: string, api: Spend, group: string) {
  const values = api.rows.map((r) => groupValue(r, group) ?? "");
  expect(await rowIds(page, table)).toEqual(values);
  for (const value of values) await expectRow(page.locator(`${table} tr[data-row="${value}"]`), api.rows[values.indexOf(value)]!);
  await expectRow(page.locator(`${table} tfoot tr`), api.totals);
}

/** The `data-row` of each row of a table's body. */
export const rowIds = (page: Page, table: string) => page.locator(`${table} tbody tr[data-row]`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-row")));


