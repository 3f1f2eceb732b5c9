import { mkdir } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, watch } from "../support/browser";
import { adminToken, base, gateway } from "../support/gateway-calls";

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

  it("runs /v1/intent from Try it out with its example body, once authorized with an API key", async () => {
    const { key } = (await (await gateway("/v1/admin/keys", adminToken, { name: "docs-try-it" })).json()) as { key: string };
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = watch(page, key);
    await page.goto(`${base}/docs`);
    await page.locator("button.authorize").first().click();
    const apiKey = page.locator(".auth-container", { hasText: "apiKey" });
    await apiKey.locator("input").fill(key);
    await apiKey.locator("button.authorize").click();
    await page.locator(".modal-ux button.close-modal").click();

    const intent = page.locator(".opblock", { has: page.locator('[data-path="/v1/intent"]') });
    await intent.locator(".opblock-summary").click();
    await intent.locator("button.try-out__btn").click();
    const sent = JSON.parse(await intent.locator("textarea.body-param__text").inputValue());
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === `${base}/v1/intent`, { timeout: 30_000 }), intent.locator("button.execute").click()]);
    expect([answer.status(), await answer.text()]).toEqual([200, expect.any(String)]);
    await expect.poll(() => intent.locator(".live-responses-table tbody td.response-col_status").allInnerTexts(), { timeout: 10_000 }).toEqual(["200"]);
    // What it sent is the document's example, and the answer one of its labels.
    expect(sent).toEqual(((await (await fetch(`${base}/openapi.json`)).json()) as any).paths["/v1/intent"].post.requestBody.content["application/json"].schema.example);
    expect(sent.labels.map((l: string | { name: string }) => (typeof l === "string" ? l : l.name))).toContain((await answer.json()).intent);
    // Swagger UI sends the key only as the header; `watch` fails on a key in any URL.
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
