import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, base, gateway } from "../support/gateway-calls";
import { launch, loaded, watch, WAIT } from "./dashboard-page";

let browser: Browser;
let key: string;

beforeAll(async () => {
  ({ key } = (await (await gateway("/v1/admin/keys", adminToken, { name: "signed-in" })).json()) as { key: string });
  browser = await launch();
}, 120_000);
afterAll(() => browser?.close());

const signedIn = async (page: Page) => {
  await loaded(page);
  return { report: await page.locator("#report").isVisible(), login: await page.locator("#login").isVisible() };
};
/** What the tab keeps in its session storage (an expression: this project's types have no DOM). */
const kept = (page: Page) => page.evaluate<string[]>("Object.values(sessionStorage)");

describe("signing in to the dashboard, in chromium", () => {
  it("stays signed in across a reload, in this tab only, until the user signs out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watch(page, key);
    await page.goto(`${base}/dashboard#token=${key}`);
    expect(await signedIn(page)).toEqual({ report: true, login: false });
    expect(page.url()).toBe(`${base}/dashboard`);
    expect(await kept(page)).toEqual([key]);

    await page.reload();
    expect(await signedIn(page)).toEqual({ report: true, login: false });
    expect(page.url()).toBe(`${base}/dashboard`);

    // Another tab of the same browser has its own session storage: it asks for a token.
    const other = await context.newPage();
    await other.goto(`${base}/dashboard`);
    await other.locator("#login").waitFor(WAIT);
    expect(await kept(other)).toEqual([]);

    await page.click("#sign-out");
    expect(await page.locator("#login").isVisible()).toBe(true);
    expect(await kept(page)).toEqual([]);
    await page.reload();
    await page.locator("#login").waitFor(WAIT);
    expect(await page.locator("#report").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("keeps a token typed in the form too, and forgets one the gateway refuses", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/dashboard`);
    await page.fill('#login input[name="token"]', key);
    await page.click('#login button[type="submit"]');
    await page.reload();
    expect(await signedIn(page)).toEqual({ report: true, login: false });

    await page.evaluate('sessionStorage.setItem(sessionStorage.key(0), "nm_revoked_or_wrong")');
    await page.reload();
    await expect.poll(() => page.locator("#error").innerText(), WAIT).toContain("That token was refused");
    expect(await kept(page)).toEqual([]);
    await page.close();
  }, 60_000);
});
