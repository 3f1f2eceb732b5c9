import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminToken, gateway, keyWithCalls, spend } from "../support/gateway-calls";
import { expectShown, launch, openDashboard, WAIT } from "./dashboard-page";

/** The cards' amounts, by their outputs' data-metric. */
const CARD_MONEY = ["cost_usd", "mini_cost_usd", "saved_usd", "mini_cost_usd_measured", "shadow_cost_usd", "batch_cost_usd", "batch_saved_usd", "monthly_usd", "monthly_mini_usd"];

let browser: Browser;
/** Intent calls, each shadowed (SHADOW_RATE in dev-gateway.ts), and chat calls, never shadowed; all today. */
let mixed: string;
/** Intent calls only, every one measured. */
let shadowed: string;

beforeAll(async () => {
  ({ key: mixed } = await keyWithCalls("cards"));
  ({ key: shadowed } = (await (await gateway("/v1/admin/keys", adminToken, { name: "cards-shadowed" })).json()) as { key: string });
  for (const text of ["refund my order", "where is my parcel?"]) expect((await gateway("/v1/intent", shadowed, { text, labels: ["billing", "shipping"] })).status).toBe(200);
  await vi.waitFor(async () => expect((await spend(shadowed, {})).totals).toMatchObject({ requests: 2, shadow_requests: 2 }), WAIT);
  browser = await launch();
}, 120_000);
afterAll(() => browser?.close());

const card = (page: Page, metric: string) => page.locator(`.cards output[data-metric="${metric}"]`);

describe("the dashboard's cards in chromium", () => {
  it("shows every amount with the same decimals: enough for the smallest to have 3 significant digits", async () => {
    const { page, problems } = await openDashboard(browser, mixed);
    const amounts = await Promise.all(CARD_MONEY.map(async (m) => ({ value: await card(page, m).getAttribute("data-value"), text: await card(page, m).innerText() })));
    const shown = amounts.filter((a) => a.value !== "");
    const smallest = Math.min(...shown.map((a) => Math.abs(Number(a.value))).filter((v) => v > 0));
    expect(smallest).toBeLessThan(0.01);
    const decimals = Math.max(2, 2 - Math.floor(Math.log10(smallest)));
    expect(shown.map((a) => a.text.split(".")[1]?.length)).toEqual(shown.map(() => decimals));
    for (const a of shown) expectShown(a.text, Number(a.value));
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it("says why the monthly projection is $0: no spend yet in the whole days it is the rate of", async () => {
    const { page } = await openDashboard(browser, mixed);
    const { projection } = await spend(mixed, { group_by: "day" });
    expect(projection.monthly_usd).toBe(0); // every call is today's, and today is not a whole day yet
    expect(await page.locator("#basis").innerText()).toContain(`to ${(projection as unknown as { basis_to: string }).basis_to}`);
    expect(await page.locator("#basis-hint").innerText()).toBe("No spend in those 7 days yet: a day's calls count once the day is over.");
    // A basis with some days of spend: the hint says how many (the page's own module, in the page).
    // As a string: vitest would rewrite an `import()` written in a function.
    const hint = (days: string[]) => {
      const [basis, rows] = [{ basis_days: 7, basis_from: "2026-03-01", basis_to: "2026-03-07" }, days.map((day) => ({ day, cost_usd: 0.0001 }))];
      return page.evaluate(`import("/dashboard/cards.js").then((m) => m.basisHint(${JSON.stringify(basis)}, ${JSON.stringify(rows)}) ?? null)`);
    };
    expect(await hint(["2026-03-06", "2026-03-07", "2026-03-08"])).toBe("Only 2 of those 7 days had spend: the rate reads low until all do.");
    expect(await hint(["01", "02", "03", "04", "05", "06", "07"].map((d) => `2026-03-${d}`))).toBeNull();
    await page.close();
  }, 60_000);

  it("says what fills the measured columns while one of them is a dash, and not once every figure is measured", async () => {
    const { page } = await openDashboard(browser, mixed);
    expect(await card(page, "mini_cost_usd_measured").innerText()).toBe("—"); // the chat calls have no shadow call
    const note = page.locator("#measured-note");
    expect(await note.isVisible()).toBe(true);
    expect(await note.innerText()).toContain("SHADOW_RATE");
    const heading = page.locator("#endpoints thead th", { hasText: "At mini (measured)" });
    expect(await heading.getAttribute("title")).toContain("SHADOW_RATE");
    await page.close();

    const measured = await openDashboard(browser, shadowed);
    expect(await card(measured.page, "mini_cost_usd_measured").getAttribute("data-value")).not.toBe("");
    expect(await measured.page.locator("#measured-note").isHidden()).toBe(true);
    await measured.page.close();
  }, 60_000);

  it("keeps every table inside its card and the window at 1400 px wide", async () => {
    const { page } = await openDashboard(browser, mixed);
    await page.setViewportSize({ width: 1400, height: 900 });
    for (const table of ["#endpoints", "#models", "#tiers", "#tags", "#users", "#requests", "#budgets"]) {
      const [right, sectionRight] = await page.locator(table).evaluate((el) => [el.getBoundingClientRect().right, el.parentElement!.getBoundingClientRect().right]);
      expect(right, table).toBeLessThanOrEqual(sectionRight!);
      expect(right, table).toBeLessThanOrEqual(1400);
    }
    await page.close();
  }, 60_000);
});
