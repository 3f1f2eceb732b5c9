import { mkdir } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, watch } from "../support/browser";
import { base } from "../support/gateway-calls";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

describe("GET /docs in chromium", () => {
  it("renders /openapi.json offline: every operation and webhook of the document listed, no console error, nothing asked of another host", async () => {
    type Operations = Record<string, Record<string, unknown>>;
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Operations; webhooks: Operations };
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = watch(page);
    const res = await page.goto(`${base}/docs`);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    const shown = await page.locator(".opblock").evaluateAll((blocks) =>
      blocks.map((b) => `${b.querySelector(".opblock-summary-method")?.textContent?.toLowerCase()} ${b.querySelector("[data-path]")?.getAttribute("data-path")}`),
    );
    // Swagger UI lists the webhooks as operations too, under their names.
    const documented = [document.paths, document.webhooks].flatMap((group) =>
      Object.entries(group).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`)),
    );
    expect(documented.length).toBeGreaterThan(30);
    expect(shown.sort()).toEqual(documented.sort());
    await mkdir("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/docs.png" });
    // An operation opened: its schemas render too.
    await page.locator('.opblock-summary:has([data-path="/v1/intent"])').click();
    await page.locator(".opblock.is-open .responses-table").first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: "test-results/docs-intent.png", fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
